using System.Text.Json;
using LlmGateway.Cli;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary><c>gatewayctl admin-tokens</c> end to end against a real gateway: rotate an operator's token without a restart.</summary>
public sealed class CredentialAdminTokenCliTests(TestEnvironment env)
{
    [Fact]
    public async Task An_operator_rotates_a_token_with_gatewayctl()
    {
        var issued = await RunAsync(TestEnvironment.OperatorToken, "--json", "admin-tokens", "issue", "--name", "rotated", "--role", "viewer");
        using var json = JsonDocument.Parse(issued.AssertExit(0).Out);
        var secret = json.RootElement.GetProperty("token").GetString()!;
        var id = json.RootElement.GetProperty("record").GetProperty("id").GetString()!;

        var usedNew = await RunAsync(secret, "keys", "list");
        var listed = await RunAsync(TestEnvironment.OperatorToken, "admin-tokens", "list");
        var revoked = await RunAsync(TestEnvironment.OperatorToken, "admin-tokens", "revoke", id);
        var usedRevoked = await RunAsync(secret, "keys", "list");
        var revokedAgain = await RunAsync(TestEnvironment.OperatorToken, "admin-tokens", "revoke", id);

        usedNew.AssertExit(0);
        Assert.Contains(id, listed.AssertExit(0).Out, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed.Out, StringComparison.Ordinal);
        Assert.Contains($"Revoked admin token {id}.", revoked.AssertExit(0).Out, StringComparison.Ordinal);
        Assert.NotEqual(0, usedRevoked.Exit);
        Assert.Contains("invalid_api_key", usedRevoked.Err, StringComparison.Ordinal);
        Assert.Contains("admin_token_not_found", revokedAgain.AssertExit(1).Err, StringComparison.Ordinal);
    }

    private async Task<CliRun> RunAsync(string token, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new Dictionary<string, string?> { ["GATEWAY_URL"] = env.Gateway.BaseUrl.ToString(), ["GATEWAY_ADMIN_TOKEN"] = token };
        var exit = await GatewayCtl.RunAsync(args, stdout, stderr, handler: null, environment);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }
}
