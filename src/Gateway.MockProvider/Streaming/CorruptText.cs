using LlmGateway.MockProvider.Pipeline;

namespace LlmGateway.MockProvider.Streaming;

/// <summary>
/// The <c>corrupt</c> knob: one extra content event whose text is bytes a careless provider may send
/// and a JSON writer never would. It is not part of the reply, so the usage does not count it.
/// </summary>
internal static class CorruptText
{
    /// <summary>The text written where the corrupt bytes go (plain ASCII: no writer escapes it).</summary>
    public const string MarkerText = "MOCK_CORRUPT_TEXT";

    public static ReadOnlySpan<byte> Marker => "MOCK_CORRUPT_TEXT"u8;

    /// <summary>The bytes for a knob value: a lone surrogate escape, or invalid UTF-8.</summary>
    public static byte[] For(string kind) => kind switch
    {
        "lone-surrogate" => "\\ud800"u8.ToArray(),
        "invalid-utf8" => [0xFF, 0xFE, 0xC3],
        _ => throw new InvalidRequestException($"Mock knob 'corrupt' must be lone-surrogate or invalid-utf8, got '{kind}'."),
    };
}
