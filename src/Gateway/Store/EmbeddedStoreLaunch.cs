namespace LlmGateway.Store;

/// <summary>
/// What the gateway tells its store process, as one JSON line on the child's standard input: never on its command
/// line, which every local user can read (<c>/proc/&lt;pid&gt;/cmdline</c>), since it carries the password.
/// </summary>
internal sealed record EmbeddedStoreLaunch(int Port, string? DataDirectory, string Memory, string Index, string PageSize, string Password);
