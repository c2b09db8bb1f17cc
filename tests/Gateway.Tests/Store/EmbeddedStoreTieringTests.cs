using LlmGateway.Store;
using StackExchange.Redis;

namespace LlmGateway.Tests.Store;

/// <summary>
/// The embedded store's memory is bounded but its data is not: what leaves memory is written to disk and read back.
/// Without the disk tier Garnet is a cache, and the first records written (a gateway key, a prompt bundle) would be
/// gone once enough newer ones had been written after them.
/// </summary>
public sealed class EmbeddedStoreTieringTests
{
    [Fact]
    public async Task Records_written_before_the_data_outgrew_memory_are_still_there()
    {
        using var garnet = EmbeddedGarnetServer.Start(memory: "256k", pageSize: "16k", index: "64k");
        await using var connection = await ConnectionMultiplexer.ConnectAsync(garnet.ConnectionString);
        var database = connection.GetDatabase();
        await database.StringSetAsync("first:key", "still here");
        await database.HashSetAsync("first:hash", "field", "value");

        // About 4 MB, sixteen times the log's memory.
        var filler = new string('x', 2048);
        var batch = database.CreateBatch();
        var writes = Enumerable.Range(0, 2000).Select(i => batch.StringSetAsync($"filler:{i}", filler)).ToArray();
        batch.Execute();
        await Task.WhenAll(writes);

        Assert.Equal("still here", (string?)await database.StringGetAsync("first:key"));
        Assert.Equal("value", (string?)await database.HashGetAsync("first:hash", "field"));
        Assert.Equal(filler, (string?)await database.StringGetAsync("filler:0"));
    }

    [Fact]
    public void Without_a_data_directory_the_spilled_log_goes_with_the_server()
    {
        string directory;
        using (var garnet = EmbeddedGarnetServer.Start(memory: "1m", pageSize: "64k", index: "64k"))
        {
            directory = garnet.LogDirectory;
            Assert.StartsWith(Path.GetTempPath(), directory, StringComparison.Ordinal);
            Assert.True(Directory.Exists(directory));
        }

        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task The_log_pages_and_index_live_outside_the_garbage_collected_heap()
    {
        // On the GC heap they were pinned arrays, and the pinned heap stayed fragmented as the log turned over (RESULTS.md,
        // "goals on the fourteenth session"). Garnet's allocator and its count are process-wide: this reads what every
        // embedded server in this process allocated, so it proves the flag is passed, not this one server's share.
        using var garnet = EmbeddedGarnetServer.Start(memory: "1m", pageSize: "64k", index: "64k");
        await using var connection = await ConnectionMultiplexer.ConnectAsync(garnet.ConnectionString + ",allowAdmin=true");
        await connection.GetDatabase().StringSetAsync("some:key", "value");

        var memory = (await connection.GetServer(connection.GetEndPoints()[0]).InfoAsync("memory"))
            .SelectMany(group => group)
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);

        Assert.True(memory.TryGetValue("native_allocator_bytes", out var bytes), string.Join(", ", memory.Keys));
        Assert.True(long.Parse(bytes, System.Globalization.CultureInfo.InvariantCulture) >= 64 * 1024, bytes);
    }
}
