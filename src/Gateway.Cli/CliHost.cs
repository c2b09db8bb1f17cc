namespace LlmGateway.Cli;

/// <summary>
/// What one invocation may touch of the outside world: its output streams, its HTTP handler and its
/// environment. Passing them in (rather than reaching for Console and Environment) lets tests run the
/// real CLI in-process without changing global state.
/// </summary>
internal sealed record CliHost(
    TextWriter Out,
    TextWriter Error,
    HttpMessageHandler? Handler,
    IReadOnlyDictionary<string, string?> Environment);
