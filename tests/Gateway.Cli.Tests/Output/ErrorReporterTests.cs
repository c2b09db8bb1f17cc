using System.Net;
using LlmGateway.Cli.Http;
using LlmGateway.Cli.Output;

namespace LlmGateway.Cli.Tests.Output;

public sealed class ErrorReporterTests
{
    private static readonly ApiFieldError[] FieldErrors =
    [
        new("messages[0].role", "One of system, developer, user, assistant."),
        new("params.temperature", "Between 0 and 2."),
    ];

    [Theory]
    [InlineData("The bundle is invalid: messages[0].role: One of system, developer, user, assistant.; params.temperature: Between 0 and 2.", "The bundle is invalid.")]
    [InlineData("The bundle is invalid.", "The bundle is invalid.")]
    [InlineData("messages[0].role: One of system, developer, user, assistant.", "messages[0].role: One of system, developer, user, assistant.")]
    public void Field_errors_spelled_out_in_the_message_are_not_said_twice(string message, string expected)
    {
        Assert.Equal(expected, ErrorReporter.WithoutInlinedFieldErrors(message, FieldErrors));
    }

    [Fact]
    public void A_refusal_prints_the_message_and_code_then_one_line_per_field()
    {
        var stderr = new StringWriter();
        var reporter = new ErrorReporter(stderr, new SecretRedactor([]));
        var failure = new GatewayRequestFailedException(
            HttpStatusCode.BadRequest,
            "Bad Request",
            new ApiError("The bundle is invalid.", "invalid_request_error", null, "invalid_bundle", FieldErrors));

        reporter.Report(failure, "prompts/bot.yaml");

        Assert.Equal(
            "error: prompts/bot.yaml: The bundle is invalid. (invalid_bundle)\n" +
            "  messages[0].role: One of system, developer, user, assistant.\n" +
            "  params.temperature: Between 0 and 2.\n",
            stderr.ToString().ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData(502, null, "error: The gateway answered HTTP 502 Bad Gateway. (http_502)\n")]
    [InlineData(404, "version", "error: nope (version_not_found)\n  param: version\n")]
    public void Without_field_errors_the_code_falls_back_and_param_is_named(int status, string? param, string expected)
    {
        var stderr = new StringWriter();
        var error = status == 502 ? null : new ApiError("nope", "invalid_request_error", param, "version_not_found", null);

        new ErrorReporter(stderr, new SecretRedactor([])).Report(new GatewayRequestFailedException((HttpStatusCode)status, "Bad Gateway", error));

        Assert.Equal(expected, stderr.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void The_token_is_masked_even_if_the_gateway_echoes_it()
    {
        var stderr = new StringWriter();

        new ErrorReporter(stderr, new SecretRedactor(["sk-admin-demo-alice"])).Report("token sk-admin-demo-alice is unknown", "invalid_api_key");

        Assert.Equal("error: token *** is unknown (invalid_api_key)\n", stderr.ToString().ReplaceLineEndings("\n"));
    }
}
