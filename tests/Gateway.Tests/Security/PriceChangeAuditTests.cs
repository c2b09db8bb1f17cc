using System.Net;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>A price set at runtime leaves a trail saying what was set: the stored price names no author, and prices decide every bill.</summary>
public sealed class PriceChangeAuditTests(TestEnvironment env)
{
    [Fact]
    public async Task A_price_change_is_audited_with_the_model_its_start_and_every_price()
    {
        await using var gateway = await AuditGateway.StartAsync(env);
        using var olga = new AdminClient(gateway.Host, TestEnvironment.OperatorToken);

        (await olga.PutAsync("/admin/v1/pricing/house-model",
            """{"effective_from":"2026-11-01T00:00:00Z","input_per_million":1.5,"output_per_million":6,"audio_output_per_million":40}""")).Expect(HttpStatusCode.OK);

        var entry = Assert.Single(await gateway.EntriesAsync(), e => e.Action == "SetPrice");
        Assert.Equal("model=house-model from=2026-11-01T00:00:00.0000000+00:00 input=1.5 cached_input=- output=6 audio_input=- audio_output=40", entry.Detail);
    }
}
