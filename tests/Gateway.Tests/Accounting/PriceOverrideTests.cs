using System.Net;
using System.Text;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Accounting;

public sealed class PriceOverrideTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A model only this test's gateway knows: a runtime price lives in the shared store, so pricing a
    // model the shared gateway serves (gpt-4o, which other tests rely on being unpriced) would leak.
    private const string Model = "priced-at-runtime";
    private const string Chat = """{"model":"priced-at-runtime","messages":[{"role":"user","content":"price me"}]}""";

    [Fact]
    public async Task A_price_set_at_runtime_is_applied_audited_and_listed()
    {
        var settings = env.GatewaySettings();
        settings[$"Gateway:Models:{Model}:Provider"] = "mock";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        using var client = gateway.CreateClient(env.ApiKey);

        var set = await operatorClient.PutAsync($"/admin/v1/pricing/{Model}", """{"input_per_million":2.5,"output_per_million":10}""");
        using var after = await client.PostAsync("/v1/chat/completions", new StringContent(Chat, Encoding.UTF8, "application/json"), Ct);

        set.Expect(HttpStatusCode.OK);
        var input = long.Parse(after.Headers.GetValues("X-Gateway-Input-Tokens").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var output = long.Parse(after.Headers.GetValues("X-Gateway-Output-Tokens").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(((input * 2.5m) + (output * 10m)) / 1_000_000m, decimal.Parse(after.Headers.GetValues("X-Gateway-Cost-USD").Single(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"\"{Model}\"", (await operatorClient.GetAsync("/admin/v1/pricing")).Expect(HttpStatusCode.OK).Text, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"SetPrice\"", (await operatorClient.GetAsync("/admin/v1/audit?limit=50")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_negative_price_is_refused()
    {
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        var refused = await operatorClient.PutAsync("/admin/v1/pricing/some-model", """{"input_per_million":-1}""");

        Assert.Contains("negative", refused.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
