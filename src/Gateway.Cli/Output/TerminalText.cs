using System.Globalization;
using System.Text;

namespace LlmGateway.Cli.Output;

/// <summary>
/// Text anyone could have written (a sampled request's messages, a model's answer) made safe to print on an operator's
/// terminal: control characters (an ESC sequence can rewrite the lines above, set the window title or the clipboard)
/// and the bidirectional overrides that reorder what is shown are printed as visible <c>\uXXXX</c> escapes.
/// </summary>
internal static class TerminalText
{
    public static string Visible(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (!normalized.AsSpan().ContainsAny(Unsafe))
        {
            return normalized;
        }

        var visible = new StringBuilder(normalized.Length + 16);
        foreach (var c in normalized)
        {
            if (Unsafe.Contains(c))
            {
                visible.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                visible.Append(c);
            }
        }

        return visible.ToString();
    }

    // C0 controls but the line break and the tab, DEL, C1 controls, and the bidirectional embeddings, overrides and isolates.
    private static readonly System.Buffers.SearchValues<char> Unsafe = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(c => c is not '\n' and not '\t').Select(c => (char)c),
         .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c),
         .. Enumerable.Range(0x202A, 5).Select(c => (char)c),
         .. Enumerable.Range(0x2066, 4).Select(c => (char)c)]);
}
