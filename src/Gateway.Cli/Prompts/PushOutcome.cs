namespace LlmGateway.Cli.Prompts;

/// <summary>What happened to one file of <c>prompts push</c>; every file gets one, pushed or not.</summary>
internal sealed record PushOutcome(
    string File,
    string? Name,
    string Result,
    int ExitCode,
    int? Version = null,
    string? Id = null,
    int? HttpStatus = null,
    string? ResponseBody = null,
    string? LocalError = null)
{
    public const string Created = "created";
    public const string Unchanged = "unchanged";
    public const string Invalid = "invalid";
    public const string Refused = "refused";
    public const string Failed = "failed";
    public const string Skipped = "skipped";

    /// <summary>
    /// After a 401 or an unreachable gateway every later file would fail the same way (each after a
    /// timeout, perhaps), so the run stops there; a refused or invalid file does not stop it.
    /// </summary>
    public bool StopsTheRun => ExitCode is ExitCodes.AuthenticationFailed or ExitCodes.Unavailable;
}
