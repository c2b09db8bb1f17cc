namespace LlmGateway.Proxy;

/// <summary>One element of <c>messages</c>: its bytes <c>[Start, End)</c> and its role, when it has a string one.</summary>
internal readonly record struct ScannedMessage(int Start, int End, string? Role)
{
    /// <summary>A message that names two different roles; treated as a system message by policies.</summary>
    public const string AmbiguousRole = "(ambiguous)";

    public bool MaySetSystem => Role is "system" or "developer" or AmbiguousRole;
}
