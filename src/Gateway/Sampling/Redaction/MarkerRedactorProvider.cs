using System.Collections.Concurrent;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;

namespace LlmGateway.Sampling.Redaction;

/// <summary>
/// Hands out a <see cref="MarkerRedactor"/> naming the kind of a single <see cref="RedactionKinds.Taxonomy"/>
/// classification, and a bare marker for anything else. Operators who want joinable values register
/// another <see cref="IRedactorProvider"/> (e.g. HMAC) instead.
/// </summary>
internal sealed class MarkerRedactorProvider : IRedactorProvider
{
    private static readonly MarkerRedactor Unclassified = new(null);

    private static readonly string Prefix = "[" + RedactionKinds.Taxonomy + ":";

    private readonly ConcurrentDictionary<string, MarkerRedactor> _byKind = new(StringComparer.Ordinal);

    public Redactor GetRedactor(DataClassificationSet classifications)
    {
        ArgumentNullException.ThrowIfNull(classifications);

        // The set does not expose its members; its string form is "[taxonomy:value,...]" sorted, which
        // is enough to recover the one value we put in. Kind names cannot contain ',' or ']' (TextRedactor
        // validates them), so a single classification is unambiguous.
        var text = classifications.ToString();
        if (!text.StartsWith(Prefix, StringComparison.Ordinal) || !text.EndsWith(']') || text.Contains(',', StringComparison.Ordinal))
        {
            return Unclassified;
        }

        var kind = text[Prefix.Length..^1];
        return kind.Length == 0 ? Unclassified : _byKind.GetOrAdd(kind, static k => new MarkerRedactor(k));
    }
}
