namespace LlmGateway.Releases;

/// <summary>Why a release change was refused; maps onto an HTTP status and an error code.</summary>
internal sealed record ReleaseRefusal(int StatusCode, string Code, string Message, string? Param = null)
{
    public static ReleaseRefusal NotFound(string code, string message, string? param = null) => new(StatusCodes.Status404NotFound, code, message, param);

    public static ReleaseRefusal Forbidden(string code, string message) => new(StatusCodes.Status403Forbidden, code, message);

    public static ReleaseRefusal Conflict(string code, string message) => new(StatusCodes.Status409Conflict, code, message, "revision");

    public static ReleaseRefusal Invalid(string message, string param) => new(StatusCodes.Status400BadRequest, "invalid_value", message, param);
}
