namespace LlmGateway.Cli.Eval;

/// <summary>Why the gateway cannot serve an evaluation, with the exit code and error code to report it under.</summary>
internal sealed record PreflightProblem(string Message, string Code, int ExitCode);
