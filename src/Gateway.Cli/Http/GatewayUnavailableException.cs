namespace LlmGateway.Cli.Http;

/// <summary>
/// No usable answer: the connection failed, the request timed out, or the body was not what the
/// contract promises. Ends the command with <see cref="ExitCodes.Unavailable"/>.
/// </summary>
internal sealed class GatewayUnavailableException(string message, string code, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string Code { get; } = code;
}
