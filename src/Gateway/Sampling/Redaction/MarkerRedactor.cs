using Microsoft.Extensions.Compliance.Redaction;

namespace LlmGateway.Sampling.Redaction;

/// <summary>
/// The default replacement: <c>[REDACTED:kind]</c>. It keeps nothing of the value, not even its length,
/// but tells a reader of the sample what used to be there.
/// </summary>
internal sealed class MarkerRedactor : Redactor
{
    private readonly string _marker;

    /// <param name="kind">The redaction kind to name in the marker; <see langword="null"/> gives a bare <c>[REDACTED]</c>.</param>
    public MarkerRedactor(string? kind) => _marker = kind is null ? "[REDACTED]" : $"[REDACTED:{kind}]";

    public override int GetRedactedLength(ReadOnlySpan<char> input) => _marker.Length;

    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        _marker.CopyTo(destination);
        return _marker.Length;
    }
}
