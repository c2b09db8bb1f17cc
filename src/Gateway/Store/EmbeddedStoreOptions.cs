using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Store;

/// <summary>
/// Settings of the in-process Garnet server used when no Redis is configured. Its memory is bounded: the hash index
/// plus <see cref="Memory"/> (the log's in-memory pages and the heap objects they hold); older pages spill to disk,
/// so nothing is lost when the data outgrows memory. The defaults are sized for a demo or a single node (tens of
/// thousands of keys; samples are the bulk of the writes); a bigger node gives more to <see cref="Memory"/> to keep
/// more of its data in memory, and <see cref="Index"/> grows by itself when the keys outgrow it.
/// </summary>
internal sealed class EmbeddedStoreOptions
{
    /// <summary>Garnet's size syntax: a number of bytes, optionally followed by k, m or g (powers of 1024).</summary>
    public const string SizePattern = @"^[0-9]{1,12}[kKmMgG]?\z";

    public const string DefaultMemory = "32m";
    public const string DefaultPageSize = "1m";
    public const string DefaultIndex = "1m";

    /// <summary>
    /// Run the store in a child process of the gateway (the default): the same executable, started and stopped with
    /// it. Garnet's page eviction and compaction then slow the store alone, never the proxy's thread pool (hosted in
    /// the gateway they stalled it for up to a second under sustained load). False hosts it in the gateway's process.
    /// </summary>
    public bool OwnProcess { get; set; } = true;

    /// <summary>
    /// Seconds the store process may go without answering a PING (asked about every second; at least three in a row
    /// unanswered) before the gateway takes it for hung and kills it (then stops, as when the store dies, for its
    /// supervisor to restart it); 0 turns the watchdog off. Only with <see cref="OwnProcess"/>: a store in the
    /// gateway's process cannot be killed apart from it.
    /// </summary>
    [Range(0, 3600)]
    public int HangTimeoutSeconds { get; set; } = 30;

    /// <summary>Loopback port to listen on; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>
    /// The embedded store's password. Unset (the default), a random one is generated at every start, so
    /// only this process can reach the store; set it to use <c>redis-cli -a</c> against the demo's store.
    /// </summary>
    public string? Password { get; set; }

    /// <summary>
    /// Folder for the log, checkpoints and the append-only file: data survives restarts. Empty keeps no state across
    /// restarts: the log spills to a folder of the system's temporary directory, deleted when the gateway stops.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// The log's memory (Garnet size syntax): its in-memory pages and the heap objects (hashes, sorted sets) they
    /// hold. Beyond it the oldest pages are written to disk and read back when needed. At least 4 pages.
    /// </summary>
    [Required]
    [RegularExpression(SizePattern)]
    public string Memory { get; set; } = DefaultMemory;

    /// <summary>Size of one log page (Garnet size syntax, a power of 2): the unit in which log memory is taken and spilled.</summary>
    [Required]
    [RegularExpression(SizePattern)]
    public string PageSize { get; set; } = DefaultPageSize;

    /// <summary>
    /// Starting size of the hash index (Garnet size syntax, a power of 2): about 16 bytes per key keeps it half full;
    /// Garnet doubles it when its overflow buckets pass half its size.
    /// </summary>
    [Required]
    [RegularExpression(SizePattern)]
    public string Index { get; set; } = DefaultIndex;

    /// <summary>Bytes of a Garnet size (<c>512k</c>, <c>16m</c>, <c>1g</c>); null when it does not parse.</summary>
    public static long? ParseSize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || !System.Text.RegularExpressions.Regex.IsMatch(value, SizePattern))
        {
            return null;
        }

        var multiplier = char.ToLowerInvariant(value[^1]) switch
        {
            'k' => 1L << 10,
            'm' => 1L << 20,
            'g' => 1L << 30,
            _ => 1L,
        };
        var digits = multiplier == 1 ? value : value[..^1];
        return long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) * multiplier;
    }
}
