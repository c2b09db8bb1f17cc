using LlmGateway.Errors;
using LlmGateway.Releases;
using LlmGateway.Serialization;

namespace LlmGateway.Admin;

/// <summary>The admin API's error results, all in OpenAI's error shape.</summary>
internal static class AdminResults
{
    public static IResult Error(int status, string type, string code, string message, string? param = null, IReadOnlyList<FieldError>? errors = null) =>
        Results.Json(
            new OpenAiErrorEnvelope(new OpenAiError(message, type, param, code) { Errors = errors }),
            GatewayJsonContext.Default.OpenAiErrorEnvelope,
            statusCode: status);

    public static IResult Invalid(string message, string param) =>
        Error(StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_value", message, param);

    public static IResult InvalidBundle(IReadOnlyList<FieldError> errors) =>
        Error(
            StatusCodes.Status400BadRequest,
            "invalid_request_error",
            "invalid_bundle",
            $"The bundle is invalid: {string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"))}",
            errors[0].Field,
            errors);

    public static IResult NotFound(string code, string message, string param) =>
        Error(StatusCodes.Status404NotFound, "invalid_request_error", code, message, param);

    public static IResult Forbidden(string code, string message) =>
        Error(StatusCodes.Status403Forbidden, "permission_error", code, message);

    public static IResult From(ReleaseRefusal refusal) =>
        Error(
            refusal.StatusCode,
            refusal.StatusCode == StatusCodes.Status403Forbidden ? "permission_error" : "invalid_request_error",
            refusal.Code,
            refusal.Message,
            refusal.Param);
}
