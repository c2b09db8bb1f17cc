using System.Net;
using System.Text;
using LlmGateway.Cli.Tests.Infrastructure;

namespace LlmGateway.Cli.Tests.Usage;

/// <summary><c>gatewayctl usage</c> in-process, against canned admin API answers.</summary>
public sealed class UsageCommandsTests
{
    private const string Rows = """
        [{"group":{"variant":"stable"},"requests":1200,"errors":3,"input_tokens":45000,"cached_input_tokens":0,"output_tokens":9000,"reasoning_tokens":0,"cost_usd":0.0000004,"unpriced_requests":0,"latency_ms":{}}]
        """;

    [Fact]
    public async Task The_table_says_which_window_the_gateway_read_and_a_tiny_cost_is_not_printed_as_zero()
    {
        var api = new FakeAdminApi(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Rows, Encoding.UTF8, "application/json") };
            response.Headers.Add("X-Usage-Window", "2026-07-20T11:00:00Z/2026-07-20T18:00:00Z");
            response.Headers.Add("X-Usage-Granularity", "hour");
            return response;
        });

        var run = await api.RunAsync("usage", "--group-by", "variant", "--from", "2026-07-20T10:30Z", "--to", "2026-07-20T18:00Z");

        var lines = run.AssertExit(0).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Usage from 2026-07-20T11:00:00Z to 2026-07-20T18:00:00Z (by hour)", lines[0]);
        Assert.Matches(@"^stable\s+1,200\s+3\s+45,000\s+9,000\s+0\.0000004\s+0$", lines[2]);
    }
}
