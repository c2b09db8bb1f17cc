using System.Net;
using LlmGateway.Releases;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Releases;

/// <summary>The store's scripts are atomic on both backends (Garnet needs its Lua transaction mode for that).</summary>
public sealed class ActivationHistoryTests(TestEnvironment env)
{
    [Fact]
    public async Task Events_of_the_same_millisecond_read_in_the_order_they_happened_not_in_member_order()
    {
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var history = env.Gateway.GetRequiredService<ActivationHistory>();
        var name = Bundles.UniqueName("same-ms");
        var millisecond = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_000);

        // Ids chosen so that member order ("evt_a…" first) is the reverse of time order.
        var earlier = Event("evt_b", "canary-weight", millisecond.AddTicks(1_000));
        var later = Event("evt_a", "promote", millisecond.AddTicks(5_000));
        foreach (var activation in new[] { earlier, later })
        {
            await store.Database.SortedSetAddAsync(
                store.Keys.EnvironmentHistory(name, "staging"),
                System.Text.Json.JsonSerializer.Serialize(activation, LlmGateway.Serialization.GatewayJsonContext.Default.ActivationEvent),
                millisecond.ToUnixTimeMilliseconds());
        }

        var listed = await history.ListAsync(name, "staging", from: null, to: null, limit: 10);
        var active = await history.ActiveAtAsync(name, "staging", millisecond);

        Assert.Equal(["canary-weight", "promote"], listed.Select(e => e.Action));
        Assert.Equal("promote", active?.Action);
        // A limit falling inside the millisecond keeps its newest event (member order would keep the earlier one), and,
        // read from a time, its earliest.
        Assert.Equal(["promote"], (await history.ListAsync(name, "staging", from: null, to: null, limit: 1)).Select(e => e.Action));
        Assert.Equal(["canary-weight"], (await history.ListAsync(name, "staging", from: millisecond.AddSeconds(-1), to: null, limit: 1)).Select(e => e.Action));

        LlmGateway.Contracts.Releases.ActivationEvent Event(string id, string action, DateTimeOffset at) =>
            new() { Id = id, At = at, Prompt = name, Environment = "staging", Action = action, Actor = "test" };
    }

    [Fact]
    public async Task A_raw_write_noticed_by_many_instances_at_once_is_recorded_exactly_once()
    {
        using var author = new AdminClient(env.Gateway, TestEnvironment.AuthorToken);
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        var name = Bundles.UniqueName("atomic");
        (await author.PushAsync(Bundles.Json(name))).Expect(HttpStatusCode.Created);
        (await operatorClient.ReleaseAsync(name, "development", "set", """{"version":1}""")).Expect(HttpStatusCode.OK);
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var history = env.Gateway.GetRequiredService<ActivationHistory>();
        const string raw = """{"stable":1,"revision":500,"salt":"x"}""";

        // Separate connections, as separate gateway instances have: one connection would serialise the calls.
        var stores = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            var other = new GatewayStore(
                Options.Create(new StoreOptions { Configuration = env.StoreConnection, KeyPrefix = env.KeyPrefix }),
                NullLoggerFactory.Instance);
            await other.StartAsync(TestContext.Current.CancellationToken);
            return other;
        }));
        try
        {
            // Write behind the gateway's back, then let every "instance" notice it at once.
            await store.Database.StringSetAsync(store.Keys.Release(name, "development"), raw);
            var recorded = await Task.WhenAll(stores.SelectMany(s => Enumerable.Range(0, 4).Select(_ =>
                new ActivationHistory(s, TimeProvider.System).RecordExternalChangeAsync(name, "development", raw, null, ReleaseJson.Parse(raw)))));
            Assert.True(recorded.Count(r => r) <= 1);
        }
        finally
        {
            foreach (var other in stores)
            {
                await other.DisposeAsync();
            }
        }

        var events = await history.ListAsync(name, "development", null, null, 100);
        Assert.Single(events, e => e.Action == ActivationActions.ExternalChange);
    }
}
