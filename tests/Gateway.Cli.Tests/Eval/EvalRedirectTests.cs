namespace LlmGateway.Cli.Tests.Eval;

/// <summary><c>eval run</c>'s gateway client follows no redirect, as the admin client does not: the preflight names it.</summary>
public sealed class EvalRedirectTests
{
    [Fact]
    public async Task A_gateway_url_that_redirects_exits_3_at_the_preflight_naming_the_location()
    {
        using var workspace = await EvalWorkspace.CreateAsync(cases: 3);
        await using var gateway = new RedirectingGateway();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        // No handler: the CLI's own socket handler, whose redirect setting is under test.
        var exit = await GatewayCtl.RunAsync(
            workspace.RunArgs("2", "1", "--no-store"),
            stdout,
            stderr,
            handler: null,
            new Dictionary<string, string?> { ["GATEWAY_URL"] = gateway.BaseUrl, ["GATEWAY_ADMIN_TOKEN"] = "sk-admin-test-0123456789" },
            TestContext.Current.CancellationToken);

        var err = stderr.ToString();
        Assert.True(exit == 3, $"exit {exit}\n{err}");
        Assert.Contains($"redirected GET /v1/models to {gateway.BaseUrl}/moved/v1/models", err, StringComparison.Ordinal);
        Assert.Contains("(http_302)", err, StringComparison.Ordinal);
        Assert.Equal(["GET /v1/models HTTP/1.1"], gateway.RequestLines);
        Assert.Empty(stdout.ToString());
    }
}
