using LlmGateway.Cli.Http;

namespace LlmGateway.Cli.Tests.Http;

public sealed class ConnectionSettingsTests
{
    [Theory]
    [InlineData(null, null, "http://env:8080", "env-token", "http://env:8080/", "env-token")]
    [InlineData("http://flag:9090", "flag-token", "http://env:8080", "env-token", "http://flag:9090/", "flag-token")]
    [InlineData("http://flag:9090", null, "http://env:8080", "env-token", "http://flag:9090/", "env-token")]
    [InlineData("", "  ", "http://env:8080", "env-token", "http://env:8080/", "env-token")]
    public void Flags_win_over_the_environment(string? urlFlag, string? tokenFlag, string? urlVariable, string? tokenVariable, string expectedUrl, string expectedToken)
    {
        var settings = ConnectionSettings.Resolve(urlFlag, tokenFlag, Environment(urlVariable, tokenVariable));

        Assert.Equal(expectedUrl, settings.BaseUri.AbsoluteUri);
        Assert.Equal(expectedToken, settings.Token);
    }

    [Theory]
    [InlineData(null, "t0ken", "missing_configuration", "GATEWAY_URL")]
    [InlineData("http://h", null, "missing_configuration", "GATEWAY_ADMIN_TOKEN")]
    [InlineData("127.0.0.1:8080", "t0ken", "invalid_configuration", "absolute http")]
    [InlineData("ftp://h", "t0ken", "invalid_configuration", "absolute http")]
    [InlineData("http://user:pw@h", "t0ken", "invalid_configuration", "credentials")]
    [InlineData("http://h/?a=1", "t0ken", "invalid_configuration", "query")]
    [InlineData("http://h", "has space", "invalid_configuration", "whitespace")]
    [InlineData("http://h", "line\nbreak", "invalid_configuration", "whitespace")]
    public void Missing_or_malformed_configuration_is_a_usage_error(string? url, string? token, string expectedCode, string expectedFragment)
    {
        var error = Assert.Throws<UsageException>(() => ConnectionSettings.Resolve(url, token, Environment(null, null)));

        Assert.Equal(expectedCode, error.Code);
        Assert.Contains(expectedFragment, error.Message, StringComparison.Ordinal);
        if (token is not null)
        {
            Assert.DoesNotContain(token, error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", "/admin/v1/prompts", "http://127.0.0.1:8080/admin/v1/prompts")]
    [InlineData("http://127.0.0.1:8080/", "/admin/v1/prompts", "http://127.0.0.1:8080/admin/v1/prompts")]
    [InlineData("https://example.test/gateway", "/admin/v1/keys", "https://example.test/gateway/admin/v1/keys")]
    [InlineData("https://example.test/gateway/", "/admin/v1/keys?x=1", "https://example.test/gateway/admin/v1/keys?x=1")]
    public void Routes_keep_the_base_URLs_path_prefix(string baseUrl, string route, string expected)
    {
        var settings = ConnectionSettings.Resolve(baseUrl, "t0ken", Environment(null, null));

        Assert.Equal(expected, settings.UriFor(route).AbsoluteUri);
    }

    [Fact]
    public void ToString_never_shows_the_token()
    {
        var settings = ConnectionSettings.Resolve("http://h:1", "super-secret-token", Environment(null, null));

        Assert.DoesNotContain("super-secret-token", settings.ToString(), StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Environment(string? url, string? token) => new()
    {
        [ConnectionSettings.UrlVariable] = url,
        [ConnectionSettings.TokenVariable] = token,
    };
}
