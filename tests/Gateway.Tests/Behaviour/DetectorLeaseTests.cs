using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Behaviour;

/// <summary>The change detector's lease: held by one instance, and given up when that instance stops.</summary>
public sealed class DetectorLeaseTests(TestEnvironment env)
{
    [Fact]
    public async Task A_stopping_instance_gives_the_detector_lease_up_so_the_next_need_not_wait_it_out()
    {
        var (gateway, _) = await OnlineEvaluationGateway.StartAsync(env, evaluator: false, s =>
        {
            s["Gateway:OnlineEval:DetectChanges"] = "true";
            s["Gateway:OnlineEval:DetectionInterval"] = "00:00:03"; // its lease lasts 6 s: a stop inside that is seen
        });
        var store = gateway.GetRequiredService<GatewayStore>();
        var key = store.Keys.BehaviourDetectorLease;
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(RedisUrl.Parse(env.StoreConnection));
        var database = connection.GetDatabase();

        // Its first look takes the lease (for two intervals)...
        Assert.True(await Eventually.TrueAsync(() => database.KeyExistsAsync(key), TimeSpan.FromSeconds(15)));
        await gateway.DisposeAsync();

        // ...and its stop gives it back at once, not two intervals later.
        Assert.False(await database.KeyExistsAsync(key));
    }
}
