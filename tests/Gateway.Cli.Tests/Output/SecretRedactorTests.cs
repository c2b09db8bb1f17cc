using LlmGateway.Cli.Output;

namespace LlmGateway.Cli.Tests.Output;

public sealed class SecretRedactorTests
{
    [Theory]
    [InlineData("token sk-admin-demo rejected", "token *** rejected")]
    [InlineData("sk-admin-demosk-admin-demo", "******")]
    [InlineData("nothing secret here", "nothing secret here")]
    public void The_token_is_masked_wherever_it_appears(string text, string expected)
    {
        var redactor = new SecretRedactor(["sk-admin-demo", null, ""]);

        Assert.Equal(expected, redactor.Redact(text));
    }

    [Fact]
    public void Values_too_short_to_be_a_token_are_not_masked()
    {
        Assert.Equal("a b c", new SecretRedactor(["a", "b"]).Redact("a b c"));
    }
}
