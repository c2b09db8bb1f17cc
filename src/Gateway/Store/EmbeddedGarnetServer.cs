using System.Net;
using System.Net.Sockets;
using Garnet;
using StackExchange.Redis;

namespace LlmGateway.Store;

/// <summary>
/// Garnet hosted in this process on a loopback port, with Lua on. The gateway talks to it
/// over RESP through StackExchange.Redis exactly as it talks to a real Redis: one code path.
/// </summary>
/// <remarks>
/// Its memory is bounded: the hash index plus the log's <c>memory</c> (in-memory pages and the heap objects they
/// hold). The log is always tiered to disk: without a tier, Garnet is a cache, and a record that leaves memory is
/// gone (a gateway key or a prompt bundle written at start-up and never rewritten would be lost once enough samples
/// and counters were written after it). With a data directory the tier lives there, beside checkpoints and the
/// append-only file; without one, in a temporary folder deleted on <see cref="Dispose"/>, compacted as it grows.
/// </remarks>
public sealed class EmbeddedGarnetServer : IEmbeddedStoreServer
{
    private readonly GarnetServer _server;
    private readonly bool _ownsLogDirectory;
    private readonly string _password;

    // Held for the store's life, beside its temporary log folder or inside its data directory: the kernel lets go of it
    // when the process ends however it ends, so a start that can take it knows the folder's store is gone (see
    // DeleteOrphans), and a start that cannot knows another store still runs on it.
    private readonly FileStream? _lock;

    private EmbeddedGarnetServer(GarnetServer server, int port, string logDirectory, bool ownsLogDirectory, string password, FileStream? held)
    {
        _server = server;
        _password = password;
        Port = port;
        LogDirectory = logDirectory;
        _ownsLogDirectory = ownsLogDirectory;
        _lock = held;
    }

    public int Port { get; }

    /// <summary>Where the log spills: the data directory, or a temporary folder this server deletes when disposed.</summary>
    internal string LogDirectory { get; }

    /// <summary>
    /// How to connect, password included: every start has its own random password (unless one is
    /// configured), so no other local process can write releases or keys. Never log it.
    /// </summary>
    public string ConnectionString => $"127.0.0.1:{Port},password={_password}";

    /// <inheritdoc cref="IEmbeddedStoreServer.ConnectionOptions"/>
    public ConfigurationOptions ConnectionOptions() => IEmbeddedStoreServer.Loopback(Port, _password);

    /// <summary>How often a store with a data directory takes a background checkpoint (seconds between two).</summary>
    public const int DefaultCheckpointSeconds = 300;

    /// <param name="port">0 picks a free loopback port.</param>
    /// <param name="dataDirectory">Null keeps no state across restarts (the log spills to a temporary folder).</param>
    /// <param name="memory">The log's memory, Garnet size syntax (<see cref="EmbeddedStoreOptions.Memory"/>).</param>
    /// <param name="index">Starting size of the hash index (<see cref="EmbeddedStoreOptions.Index"/>).</param>
    /// <param name="loggerFactory">Routes Garnet's own logs through the host's logging.</param>
    /// <param name="pageSize">One log page (<see cref="EmbeddedStoreOptions.PageSize"/>).</param>
    /// <param name="checkpointSeconds">With a data directory, seconds between background checkpoints.</param>
    /// <param name="dataLockWait">How long to wait for a data directory another store holds (<see cref="DataLockWait"/>).</param>
    public static EmbeddedGarnetServer Start(
        int port = 0,
        string? dataDirectory = null,
        string memory = EmbeddedStoreOptions.DefaultMemory,
        string index = EmbeddedStoreOptions.DefaultIndex,
        ILoggerFactory? loggerFactory = null,
        string pageSize = EmbeddedStoreOptions.DefaultPageSize,
        string? password = null,
        int checkpointSeconds = DefaultCheckpointSeconds,
        TimeSpan? dataLockWait = null)
    {
        password = string.IsNullOrEmpty(password) ? NewPassword() : password;
        port = port == 0 ? FreeLoopbackPort() : port;
        var persistent = !string.IsNullOrWhiteSpace(dataDirectory);
        FileStream? held;
        string logDirectory;
        if (persistent)
        {
            logDirectory = dataDirectory!;
            CreatePrivateDirectory(logDirectory);
            held = LockDataDirectory(logDirectory, dataLockWait ?? DataLockWait);
        }
        else
        {
            DeleteOrphans(Path.GetTempPath());
            (logDirectory, held) = NewTemporaryFolder(Path.GetTempPath());
            try
            {
                CreatePrivateDirectory(logDirectory);
            }
            catch
            {
                Release(held, logDirectory + LockSuffix);
                throw;
            }
        }

        var args = new List<string>
        {
            "--bind", "127.0.0.1",
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--auth", "Password",
            "--password", password,
            "--lua",
            // Without it Garnet runs scripts without isolation; every compare-and-swap here needs it.
            "--lua-transaction-mode",
            "--memory", memory,
            "--page", pageSize,
            "--index", index,
            "--storage-tier",
            "--logdir", logDirectory,
            // The managed RandomAccess device: Garnet's native Linux device needs libaio, which a
            // fresh machine lacks, and its absence crashes the process instead of failing a call.
            "--device-type", "RandomAccess",
            // Cached IO buffers (page flushes, reads of spilled records): Garnet's default budget is 1 GB.
            "--buffer-pool-memory-budget", "4m",
            // The log on disk is cut in segments; compaction copies what is still live out of the oldest ones and
            // drops them once there are more than this many (the default segment is 1 GB: nothing would ever go).
            "--segment", "64m",
            "--object-log-segment", "64m",
            "--compaction-type", "Lookup",
            "--compaction-freq", "60",
            "--compaction-max-segments", "4",
            // Log pages and the hash index in memory mapped apart from the GC heap. As pinned arrays, the pages the
            // log turned over left the pinned heap fragmented: the store process held ~60 MB more under load.
            "--use-native-allocator",
        };

        if (persistent)
        {
            // A checkpoint still refers to the segments compaction leaves behind: they go at the next checkpoint.
            // The append-only file's buffer: Garnet's default is 128 MB in 32 MB pages; an AOF page must hold two
            // log pages, and the buffer two AOF pages.
            var aofPage = Math.Max(4L << 20, 2 * (EmbeddedStoreOptions.ParseSize(pageSize) ?? 0));
            args.AddRange(
            [
                "--checkpointdir", logDirectory, "--aof", "--recover",
                // Without checkpoints the append-only file grows for ever, the segments compaction dropped stay on disk,
                // and every start replays the whole file (past the start timeout, the gateway could not start at all).
                "--checkpoint-freq", checkpointSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--aof-page-size", aofPage.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--aof-memory", (2 * aofPage).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ]);
        }
        else
        {
            // Nothing refers to a dropped segment when there are no checkpoints: delete it right away.
            args.Add("--compaction-force-delete");
        }

        try
        {
            var server = new GarnetServer([.. args], loggerFactory);
            server.Start();
            return new EmbeddedGarnetServer(server, port, logDirectory, ownsLogDirectory: !persistent, password, held);
        }
        catch
        {
            if (persistent)
            {
                held?.Dispose();
            }
            else
            {
                TryDelete(logDirectory);
                Release(held, logDirectory + LockSuffix);
            }

            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            _server.Dispose();
        }
        finally
        {
            if (_ownsLogDirectory)
            {
                TryDelete(LogDirectory);
                Release(_lock, LogDirectory + LockSuffix);
            }
            else
            {
                // Let go only once Garnet has closed its files; the lock file stays (see LockDataDirectory).
                _lock?.Dispose();
            }
        }
    }

    /// <summary>Inside a data directory, the file its store holds locked while it runs.</summary>
    internal const string DataLockName = "gateway-store.lock";

    /// <summary>
    /// Creates the folder readable by this user only (on Unix; parents it creates get the default): spilled log pages,
    /// the append-only file and checkpoints hold samples (prompts and answers), key records and releases. A folder that
    /// exists already keeps the permissions it has.
    /// </summary>
    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// Takes the data directory's lock, or refuses the start: two stores recovering, appending and checkpointing in one
    /// directory corrupt each other's files. The lock file is never deleted: a store starting on a deleted-and-recreated
    /// file would lock a new file while the old store still held the old one. Where locks are not enforced
    /// (DOTNET_SYSTEM_IO_DISABLEFILELOCKING, a file system without flock) the lock is taken however many hold it.
    /// </summary>
    private static FileStream LockDataDirectory(string directory, TimeSpan wait)
    {
        var path = Path.Combine(directory, DataLockName);
        // A few seconds for a store that is stopping to let go (a gateway killed and restarted at once: its orphaned store
        // process stops when it sees its input close), rather than a restart loop until it has.
        var waitUntil = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, LockShare);
            }
            catch (IOException exception) when (Environment.TickCount64 < waitUntil)
            {
                _ = exception;
                Thread.Sleep(200);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new IOException(
                    $"The data directory {Path.GetFullPath(directory)} could not be locked ({DataLockName}: {exception.Message}): another store (a gateway, or its store process) holds it, or the file cannot be opened (permissions, a read-only or full volume). Two stores on one directory would corrupt each other's files: stop the other gateway, or give each its own Redis:Embedded:DataDirectory.",
                    exception);
            }
        }
    }

    /// <summary>How long a start waits for a data directory's lock that another store holds.</summary>
    internal static readonly TimeSpan DataLockWait = TimeSpan.FromSeconds(5);

    /// <summary>The name of a store's temporary log folder, before its process id and a random part.</summary>
    internal const string TemporaryPrefix = "llm-gateway-store-";

    /// <summary>Beside a temporary log folder, the file its store holds locked while it runs.</summary>
    internal const string LockSuffix = ".lock";

    /// <summary>
    /// Deletes the temporary log folders of stores that are gone: only a clean stop deletes its own, so a store killed (a
    /// hung one the watchdog ended, the OOM killer) left its segments behind, one more folder per restart. A folder goes
    /// only when the lock its store held beside it can be taken, which the kernel allows once that store's process has
    /// ended, whatever process ids say (they repeat in containers, and differ between namespaces sharing a folder). A
    /// folder without such a lock is kept.
    /// </summary>
    internal static void DeleteOrphans(string temporary)
    {
        // Where locks are not enforced (DOTNET_SYSTEM_IO_DISABLEFILELOCKING, a file system without flock) every lock
        // could be taken, live stores' included: then nothing is deleted.
        if (!LocksHold(temporary))
        {
            return;
        }

        IEnumerable<string> locks;
        try
        {
            locks = Directory.EnumerateFiles(temporary, TemporaryPrefix + "*" + LockSuffix).ToList();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var lockFile in locks)
        {
            FileStream held;
            try
            {
                held = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, LockShare);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Held: its store runs. (Or not ours to take.)
                continue;
            }

            TryDelete(lockFile[..^LockSuffix.Length]);
            Release(held, lockFile);
        }
    }

    // Exclusive; on Windows deletable while held, so a store can delete its own lock file before letting go of it (on
    // Unix any share but None is a shared flock, which would not keep another start out).
    private static readonly FileShare LockShare = OperatingSystem.IsWindows() ? FileShare.Delete : FileShare.None;

    /// <summary>
    /// A new temporary log folder's path and its lock, held. Created and locked in two steps, so a start cleaning up at
    /// that instant may take a brand-new lock first (and delete it): then another name is tried.
    /// </summary>
    private static (string Folder, FileStream Lock) NewTemporaryFolder(string temporary)
    {
        for (var attempt = 1; ; attempt++)
        {
            var folder = Path.Combine(temporary, $"{TemporaryPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
            FileStream? held = null;
            try
            {
                held = new FileStream(folder + LockSuffix, FileMode.CreateNew, FileAccess.ReadWrite, LockShare);
                if (File.Exists(folder + LockSuffix))
                {
                    return (folder, held);
                }
            }
            catch (IOException) when (attempt < 3)
            {
            }

            held?.Dispose();
            if (attempt >= 3)
            {
                throw new IOException($"Could not lock a temporary folder for the store in {temporary}.");
            }
        }
    }

    /// <summary>Whether a lock held here keeps a second opener out.</summary>
    private static bool LocksHold(string temporary)
    {
        var probe = Path.Combine(temporary, $"llm-gateway-lock-probe-{Guid.NewGuid():N}");
        try
        {
            using var first = new FileStream(probe, FileMode.CreateNew, FileAccess.ReadWrite, LockShare, 1, FileOptions.DeleteOnClose);
            try
            {
                using var second = new FileStream(probe, FileMode.Open, FileAccess.ReadWrite, LockShare);
                return false;
            }
            catch (IOException)
            {
                return true;
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void Release(FileStream? held, string path)
    {
        if (held is null)
        {
            return;
        }

        try
        {
            // Deleted while held, so no other start can take a lock whose folder is half gone.
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A leftover lock file with no folder is harmless: the next start takes it and deletes it.
        }

        held.Dispose();
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A leftover in the temporary directory is harmless; the system cleans it.
        }
    }

    /// <summary>A random password for one start (256 bits, hex).</summary>
    internal static string NewPassword() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static int FreeLoopbackPort()
    {
        // There is a short window in which another process could take the port; Garnet
        // then fails to bind and start-up reports it, which is acceptable for a local store.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
