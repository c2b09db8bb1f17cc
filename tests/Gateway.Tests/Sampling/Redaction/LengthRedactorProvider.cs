using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;

namespace LlmGateway.Tests.Sampling.Redaction;

/// <summary>A stand-in for an operator's redactor: shows that the kind and the original value reach it.</summary>
internal sealed class LengthRedactorProvider : IRedactorProvider
{
    public Redactor GetRedactor(DataClassificationSet classifications)
    {
        var text = classifications.ToString();
        return new LengthRedactor(text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..^1]);
    }

    private sealed class LengthRedactor(string kind) : Redactor
    {
        public override int GetRedactedLength(ReadOnlySpan<char> input) => Format(input).Length;

        public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
        {
            var text = Format(source);
            text.CopyTo(destination);
            return text.Length;
        }

        private string Format(ReadOnlySpan<char> input) => $"<{kind}:{input.Length}>";
    }
}
