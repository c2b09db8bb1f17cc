using System.Globalization;
using LlmGateway.Eval.Running;

namespace LlmGateway.Cli.Eval;

/// <summary>
/// Progress on stderr, so stdout keeps only the report. On a terminal one line is rewritten in place; anywhere
/// else (CI logs, a test's writer) a plain line every tenth of the way, because carriage returns make logs unreadable.
/// </summary>
internal sealed class EvalProgress(TextWriter stderr, bool interactive)
{
    // Warnings come from the runner's worker threads, outside the lock it holds around progress.
    private readonly Lock gate = new();
    private int lastTenth = -1;

    /// <summary>Whether <paramref name="stderr"/> is the process's own, unredirected stderr.</summary>
    public static bool IsTerminal(TextWriter stderr) =>
        ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>A problem the run goes on despite, on a line of its own.</summary>
    public void Warn(string message)
    {
        lock (gate)
        {
            // On a terminal the progress line has no end yet: the warning must not be written into it.
            stderr.WriteLine(interactive ? $"\nwarning: {message}" : $"warning: {message}");
        }
    }

    public void Report(RunProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        lock (gate)
        {
            Write(progress);
        }
    }

    private void Write(RunProgress progress)
    {
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"{progress.Completed}/{progress.Total} runs, {progress.CacheHits} cached, {progress.Errors} failed");
        if (interactive)
        {
            stderr.Write('\r' + line);
            if (progress.Completed == progress.Total)
            {
                stderr.WriteLine();
            }

            return;
        }

        var tenth = progress.Total == 0 ? 10 : progress.Completed * 10 / progress.Total;
        if (tenth != lastTenth)
        {
            lastTenth = tenth;
            stderr.WriteLine(line);
        }
    }
}
