using System.Net;
using System.Text.Json;
using LlmGateway.Cli.Tests.Infrastructure;

namespace LlmGateway.Cli.Tests.AdminTokens;

/// <summary><c>gatewayctl admin-tokens issue|list|revoke</c> in-process, against canned admin API answers.</summary>
public sealed class AdminTokensCommandsTests
{
    private const string Issued = """
        {"token":"gwa_secret-shown-once","record":{"id":"adm_0123456789abcdef","name":"ci-releaser","roles":["operator","viewer"],
         "source":"stored","created_at":"2026-11-29T13:11:54Z","created_by":"olga"}}
        """;

    private const string Listed = """
        [{"id":"config:olga","name":"olga","roles":["operator","viewer"],"source":"configuration","created_at":null,"created_by":null},
         {"id":"adm_0123456789abcdef","name":"ci-releaser","roles":["operator","viewer"],"source":"stored","created_at":"2026-11-29T13:11:54Z","created_by":"olga"}]
        """;

    [Fact]
    public async Task Issue_posts_the_name_and_roles_and_shows_the_secret_once()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.Created, Issued);

        var run = await api.RunAsync("admin-tokens", "issue", "--name", "ci-releaser", "--role", "viewer", "operator", "--role", "viewer");

        run.AssertExit(0);
        Assert.Equal(HttpMethod.Post, api.Requests[0].Method);
        Assert.Equal("/admin/v1/admin-tokens", api.OnlyPathAndQuery);
        Assert.Equal("""{"name":"ci-releaser","roles":["viewer","operator"]}""", api.Bodies[0]);
        Assert.Contains("Issued admin token adm_0123456789abcdef for 'ci-releaser' (roles: operator, viewer).", run.Out, StringComparison.Ordinal);
        Assert.Contains("    gwa_secret-shown-once", run.Out, StringComparison.Ordinal);
        Assert.Contains("gatewayctl admin-tokens revoke adm_0123456789abcdef", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issue_needs_a_name_and_a_role()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.Created, Issued);

        var noRole = await api.RunAsync("admin-tokens", "issue", "--name", "ci-releaser");
        var noName = await api.RunAsync("admin-tokens", "issue", "--role", "viewer");

        Assert.NotEqual(0, noRole.Exit);
        Assert.NotEqual(0, noName.Exit);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task List_prints_configured_and_issued_tokens_with_their_source()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Listed);

        var run = await api.RunAsync("admin-tokens", "list");

        run.AssertExit(0);
        Assert.Equal("/admin/v1/admin-tokens", api.OnlyPathAndQuery);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("ID", lines[0], StringComparison.Ordinal);
        Assert.Contains("SOURCE", lines[0], StringComparison.Ordinal);
        Assert.Contains("config:olga", lines[1], StringComparison.Ordinal);
        Assert.Contains("configuration", lines[1], StringComparison.Ordinal);
        Assert.Contains("adm_0123456789abcdef", lines[2], StringComparison.Ordinal);
        Assert.Contains("stored", lines[2], StringComparison.Ordinal);
        Assert.Contains("olga", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_deletes_by_id_and_json_says_so()
    {
        var api = new FakeAdminApi(_ => new HttpResponseMessage(HttpStatusCode.NoContent));

        var run = await api.RunAsync("--json", "admin-tokens", "revoke", "adm_0123456789abcdef");

        run.AssertExit(0);
        Assert.Equal(HttpMethod.Delete, api.Requests[0].Method);
        Assert.Equal("/admin/v1/admin-tokens/adm_0123456789abcdef", api.OnlyPathAndQuery);
        using var json = JsonDocument.Parse(run.Out);
        Assert.True(json.RootElement.GetProperty("revoked").GetBoolean());
    }

    [Theory]
    [InlineData("admin-tokens", "gwa_q3Z8v0Xk2LrT9bN4wYc7HfJ1sPmA6dEuGiK5oRtV_x-")]
    [InlineData("keys", "gwk_q3Z8v0Xk2LrT9bN4wYc7HfJ1sPmA6dEuGiK5oRtV_x-")]
    [InlineData("keys", "\"gwk_q3Z8v0Xk2LrT9bN4wYc7HfJ1sPmA6dEuGiK5oRtV_x-\"")]
    [InlineData("keys", " gwk_q3Z8v0Xk2LrT9bN4wYc7HfJ1sPmA6dEuGiK5oRtV_x-")]
    public async Task Revoking_by_a_secret_is_refused_before_anything_is_sent(string noun, string secret)
    {
        var api = new FakeAdminApi(_ => new HttpResponseMessage(HttpStatusCode.NoContent));

        var run = await api.RunAsync(noun, "revoke", secret);

        run.AssertExit(2);
        Assert.Empty(api.Requests);
        Assert.Contains("secret, not its id", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, run.Err + run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_issue_reports_the_gateway_error_and_fails()
    {
        var api = new FakeAdminApi(_ => FakeAdminApi.Error(HttpStatusCode.Forbidden, "'olga' cannot grant roles it does not hold: author.", "permission_error", "role_not_held", "roles"));

        var run = await api.RunAsync("admin-tokens", "issue", "--name", "sneaky", "--role", "author");

        Assert.NotEqual(0, run.Exit);
        Assert.Contains("role_not_held", run.Err, StringComparison.Ordinal);
    }
}
