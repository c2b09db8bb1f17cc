namespace LlmGateway.Releases;

/// <summary>Why a release change was refused; maps onto an HTTP status and an error code.</summary>
internal sealed record ReleaseRefusal(int StatusCode, string Code, string Message, string? Param = null)
{
    public static ReleaseRefusal NotFound(string code, string message, string? param = null) => new(StatusCodes.Status404NotFound, code, message, param);

    public static ReleaseRefusal Forbidden(string code, string message) => new(StatusCodes.Status403Forbidden, code, message);

    public static ReleaseRefusal Conflict(string code, string message) => new(StatusCodes.Status409Conflict, code, message, "revision");

    /// <summary>A version no instance could serve (its bundle cannot be read or prepared): <paramref name="problem"/> says why.</summary>
    public static ReleaseRefusal Unservable(string prompt, int version, string problem) =>
        new(StatusCodes.Status409Conflict, "version_unservable", $"{prompt} v{version} cannot serve: {problem}.", "version");

    public static ReleaseRefusal Invalid(string message, string param) => new(StatusCodes.Status400BadRequest, "invalid_value", message, param);
}
