namespace LlmGateway.MockProvider.Generation;

/// <summary>Splits a reply into nearly-equal, non-empty stream pieces.</summary>
internal static class ReplyChunker
{
    /// <summary>
    /// Splits on character (Unicode scalar) boundaries so a surrogate pair is never torn in half;
    /// a reply shorter than <paramref name="chunks"/> yields one piece per character.
    /// </summary>
    public static string[] Split(string reply, int chunks)
    {
        var starts = new List<int>(reply.Length);
        for (var i = 0; i < reply.Length; i += char.IsSurrogatePair(reply, i) ? 2 : 1)
        {
            starts.Add(i);
        }

        var count = Math.Min(chunks, starts.Count);
        var pieces = new string[count];
        for (var k = 0; k < count; k++)
        {
            var from = starts[k * starts.Count / count];
            var to = k + 1 == count ? reply.Length : starts[(k + 1) * starts.Count / count];
            pieces[k] = reply[from..to];
        }

        return pieces;
    }
}
