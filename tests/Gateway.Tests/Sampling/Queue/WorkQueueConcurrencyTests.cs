using System.Collections.Concurrent;
using LlmGateway.Sampling.Queue;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace LlmGateway.Tests.Sampling.Queue;

/// <summary>Many consumers, each on its own connection as separate processes would be.</summary>
public sealed class WorkQueueConcurrencyTests(TestEnvironment env)
{
    [Fact]
    public async Task Concurrent_consumers_process_every_item_exactly_once()
    {
        const int Items = 2000;
        const int Consumers = 8;
        var name = "concurrent-" + Guid.NewGuid().ToString("N");
        var options = new WorkQueueOptions();
        var ids = Enumerable.Range(0, Items).Select(i => $"sample-{i}").ToArray();
        await new WorkQueue(env.Gateway.GetRequiredService<GatewayStore>().Database, env.KeyPrefix, name, options, TimeProvider.System).EnqueueAsync(ids);

        var processed = new ConcurrentDictionary<string, int>();
        var connections = new List<ConnectionMultiplexer>();
        try
        {
            for (var i = 0; i < Consumers; i++)
            {
                connections.Add(await ConnectionMultiplexer.ConnectAsync(RedisUrl.Parse(env.StoreConnection)));
            }

            var cancellationToken = TestContext.Current.CancellationToken;
            await Task.WhenAll(connections.Select(connection => Task.Run(async () =>
            {
                var queue = new WorkQueue(connection.GetDatabase(), env.KeyPrefix, name, options, TimeProvider.System);
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var batch = await queue.ClaimAsync(Random.Shared.Next(1, 40));
                    if (batch.Count == 0)
                    {
                        return;
                    }

                    foreach (var item in batch)
                    {
                        processed.AddOrUpdate(item.Id, 1, (_, n) => n + 1);
                        Assert.True(await queue.AckAsync(item.Id, item.Receipt));
                    }
                }
            }, cancellationToken)));
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }

        Assert.Equal(Items, processed.Count);
        Assert.All(ids, id => Assert.Equal(1, processed[id]));
        var check = new WorkQueue(env.Gateway.GetRequiredService<GatewayStore>().Database, env.KeyPrefix, name, options, TimeProvider.System);
        Assert.Equal(new QueueStats(0, 0, 0), await check.StatsAsync());
    }

    [Fact]
    public async Task Consumers_that_crash_mid_batch_lose_their_items_to_others_and_every_item_is_acked_once()
    {
        const int Items = 500;
        const int Consumers = 8;
        var name = "crashing-" + Guid.NewGuid().ToString("N");
        // Plenty of attempts: this test is about redelivery, not dead letters.
        var options = new WorkQueueOptions { MaxAttempts = 1000, Visibility = TimeSpan.FromMinutes(1) };
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var ids = Enumerable.Range(0, Items).Select(i => $"sample-{i}").ToArray();
        await new WorkQueue(env.Gateway.GetRequiredService<GatewayStore>().Database, env.KeyPrefix, name, options, clock).EnqueueAsync(ids);

        var acked = new ConcurrentDictionary<string, int>();
        var staleAcks = 0;
        var connections = new List<ConnectionMultiplexer>();
        try
        {
            for (var i = 0; i < Consumers; i++)
            {
                connections.Add(await ConnectionMultiplexer.ConnectAsync(RedisUrl.Parse(env.StoreConnection)));
            }

            var cancellationToken = TestContext.Current.CancellationToken;
            await Task.WhenAll(connections.Select(connection => Task.Run(async () =>
            {
                var queue = new WorkQueue(connection.GetDatabase(), env.KeyPrefix, name, options, clock);
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var batch = await queue.ClaimAsync(Random.Shared.Next(1, 20));
                    if (batch.Count == 0)
                    {
                        var stats = await queue.StatsAsync();
                        if (stats.InFlight == 0 && stats.Ready == 0)
                        {
                            return;
                        }

                        // Only abandoned (or slow) claims are left: let them lapse. Live claims
                        // may lapse too, which is the point: their late acks must then fail.
                        await Task.Delay(5, cancellationToken);
                        clock.Advance(options.Visibility);
                        continue;
                    }

                    foreach (var item in batch)
                    {
                        if (Random.Shared.Next(10) == 0)
                        {
                            continue; // Crashed before finishing this one: never acked.
                        }

                        if (await queue.AckAsync(item.Id, item.Receipt))
                        {
                            acked.AddOrUpdate(item.Id, 1, (_, n) => n + 1);
                        }
                        else
                        {
                            Interlocked.Increment(ref staleAcks);
                        }
                    }
                }
            }, cancellationToken)));
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }

        Assert.Equal(Items, acked.Count);
        Assert.All(ids, id => Assert.Equal(1, acked[id]));
        var check = new WorkQueue(env.Gateway.GetRequiredService<GatewayStore>().Database, env.KeyPrefix, name, options, clock);
        Assert.Equal(new QueueStats(0, 0, 0), await check.StatsAsync());
        TestContext.Current.TestOutputHelper?.WriteLine($"{env.StoreKind}: {staleAcks} late acks refused.");
    }
}
