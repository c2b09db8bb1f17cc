namespace LlmGateway.Cli;

/// <summary>
/// A problem on our side of the wire (bad flags, missing configuration, an unreadable or invalid file);
/// it ends the command with <see cref="ExitCodes.Usage"/>.
/// </summary>
internal sealed class UsageException(string message, string code = UsageException.UsageErrorCode) : Exception(message)
{
    public const string UsageErrorCode = "usage_error";

    public string Code { get; } = code;
}
