using System.Collections.Concurrent;

namespace LlmGateway.Threading;

/// <summary>
/// Runs tasks on dedicated threads at a raised nice value, so background work in a proxy (the in-process online
/// evaluator) takes only the CPU the request threads leave. Work started here stays here: an <c>await</c> resumes
/// on <see cref="TaskScheduler.Current"/>, which is this scheduler, unless the awaited code opts out with
/// <c>ConfigureAwait(false)</c>. Thread-pool threads cannot be niced: they are shared with the requests.
/// </summary>
internal sealed class LowPriorityTaskScheduler : TaskScheduler, IDisposable
{
    [ThreadStatic]
    private static LowPriorityTaskScheduler? _runningOn;

    private readonly BlockingCollection<Task> _queue = [];
    private readonly Thread[] _threads;

    public LowPriorityTaskScheduler(string name, int threads, int nice)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfNotEqual(nice is >= 0 and <= 19, true, nameof(nice));
        Nice = nice;
        _threads = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"{name}-{i}", Priority = ThreadPriority.BelowNormal };
            _threads[i].Start();
        }
    }

    /// <summary>The nice value its threads ask for (Linux; elsewhere they run at <see cref="ThreadPriority.BelowNormal"/>).</summary>
    public int Nice { get; }

    public override int MaximumConcurrencyLevel => _threads.Length;

    /// <summary>Starts an async loop on this scheduler; its awaits come back here.</summary>
    public Task Run(Func<Task> work, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    private void Run()
    {
        _runningOn = this;
        ThreadNice.TrySetCurrent(Nice);
        foreach (var task in _queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }

    protected override void QueueTask(Task task)
    {
        try
        {
            _queue.Add(task);
        }
        catch (InvalidOperationException)
        {
            // Disposed while a loop was winding down: its last continuations still run, on the pool.
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Scheduler.TryExecuteTask(state.Task), (Scheduler: this, Task: task), preferLocal: false);
        }
    }

    // Inline only on its own threads: a continuation must never run on a request's thread at normal priority.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        _runningOn == this && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    /// <summary>
    /// Lets the queued work finish and the threads end (background threads: they never hold the process up). The
    /// collection itself is left to the GC: a late continuation may still look at it.
    /// </summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var thread in _threads)
        {
            if (thread != Thread.CurrentThread)
            {
                thread.Join(TimeSpan.FromSeconds(5));
            }
        }
    }
}
