using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>
/// What Garnet says its store holds (<c>INFO MEMORY</c>): the hash index, the main log's in-memory pages and the read
/// cache, allocated up front or page by page (off the GC heap: the gateway runs Garnet with its native allocator). This is the store's share of the process that hosts
/// it, as far as it can be split: it is an upper bound of the resident share (pages never touched are not resident),
/// and Garnet's sessions, network buffers and Lua engines are not in it and cannot be told apart from the gateway's
/// own memory when the store is embedded.
/// </summary>
internal sealed record StoreMemory(double IndexMb, double LogMb, double ReadCacheMb, double TotalMb, bool EmbeddedInGateway)
{
    private const double Megabyte = 1024 * 1024;

    /// <summary>Null when the store does not answer (the report then says the share could not be read).</summary>
    public static async Task<StoreMemory?> TryReadAsync(IPEndPoint endpoint, bool embeddedInGateway)
    {
        try
        {
            // INFO counts as an admin command to the client, though the server answers it to anyone.
            var options = new ConfigurationOptions { AbortOnConnectFail = true, AllowAdmin = true, ConnectTimeout = 5000, SyncTimeout = 5000, Password = Harness.HarnessStore.Password };
            options.EndPoints.Add(endpoint);
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
            var info = await redis.GetServer(endpoint).InfoRawAsync("memory") ?? string.Empty;
            var fields = info.Split('\n', StringSplitOptions.TrimEntries)
                .Select(line => line.Split(':', 2))
                .Where(pair => pair.Length == 2)
                .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
            var index = Bytes(fields, "store_index_size");
            var log = Bytes(fields, "store_mainlog_memory_size");
            var readCache = Bytes(fields, "store_readcache_memory_size");
            var total = fields.ContainsKey("total_main_store_size") ? Bytes(fields, "total_main_store_size") : index + log + readCache;
            return new StoreMemory(index / Megabyte, log / Megabyte, readCache / Megabyte, total / Megabyte, embeddedInGateway);
        }
        catch (Exception exception) when (exception is RedisException or RedisCommandException or TimeoutException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"  (could not read the store's INFO MEMORY at {endpoint}: {exception.Message})");
            return null;
        }
    }

    // Garnet prints -1 for what it does not track; that counts as nothing.
    private static double Bytes(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var raw) && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : 0;
}
