using System.Text;

namespace LlmGateway.Eval.Datasets;

/// <summary>
/// Splits CSV text into records (RFC 4180: comma-separated, <c>"…"</c> quoting with <c>""</c> for a quote, fields
/// that span lines when quoted; CRLF, LF or CR line ends). Like promptfoo's parser in its relaxed mode, a quote in
/// the middle of an unquoted field is literal, so unquoted JSON such as <c>{"a":1}</c> reads as written. Empty lines
/// are skipped. Fields are not trimmed.
/// </summary>
internal static class CsvRecordParser
{
    /// <exception cref="DatasetFormatException">A quoted field is never closed, or text follows its closing quote.</exception>
    public static IReadOnlyList<CsvRecord> Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = new List<CsvRecord>();
        var i = 0;
        var line = 1;
        while (i < text.Length)
        {
            if (text[i] is '\r' or '\n')
            {
                i = SkipLineEnd(text, i);
                line++;
                continue;
            }

            var recordLine = line;
            var fields = new List<string>();
            while (true)
            {
                if (i < text.Length && text[i] == '"')
                {
                    fields.Add(ReadQuoted(text, ref i, ref line, file));
                    if (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                    {
                        throw new DatasetFormatException(file, line, "text after a closing quote; inside a quoted field, write a quote as two quotes (\"\")");
                    }
                }
                else
                {
                    var start = i;
                    while (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                    {
                        i++;
                    }

                    fields.Add(text[start..i]);
                }

                if (i < text.Length && text[i] == ',')
                {
                    i++;
                    continue;
                }

                break;
            }

            if (i < text.Length)
            {
                i = SkipLineEnd(text, i);
                line++;
            }

            records.Add(new CsvRecord(recordLine, fields));
        }

        return records;
    }

    private static string ReadQuoted(string text, ref int i, ref int line, string file)
    {
        var openedOn = line;
        var value = new StringBuilder();
        i++;
        while (true)
        {
            if (i >= text.Length)
            {
                throw new DatasetFormatException(file, openedOn, "a quoted field is never closed");
            }

            var c = text[i];
            if (c == '"')
            {
                if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    value.Append('"');
                    i += 2;
                    continue;
                }

                i++;
                return value.ToString();
            }

            // A CR LF counts once; a lone CR (old Mac files) counts too.
            if (c == '\n' || (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
            {
                line++;
            }

            value.Append(c);
            i++;
        }
    }

    private static int SkipLineEnd(string text, int i) =>
        text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? i + 2 : i + 1;
}
