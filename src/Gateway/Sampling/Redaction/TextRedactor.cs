using System.Collections.ObjectModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Compliance.Redaction;

namespace LlmGateway.Sampling.Redaction;

/// <summary>
/// Finds sensitive substrings in sample text and replaces them before the sample is stored. Detection
/// is ours; the replacement comes from the operator's <see cref="IRedactorProvider"/>, one
/// <see cref="Redactor"/> per kind (classification <see cref="RedactionKinds.Taxonomy"/>:kind), so a
/// marker, a hash or an HMAC is a configuration choice.
/// </summary>
/// <remarks>
/// Detectors run in priority order and a later detector cannot claim text an earlier one already has:
/// the values of fields named for a credential (<see cref="CredentialFields"/>, in JSON text), then private keys, then
/// bearer tokens, API keys and AWS credentials, then custom patterns, then emails, cards, IP addresses and phone
/// numbers. So the digits inside a key count as the key, not as a phone.
/// Matches are collected against the original text and replaced in one pass, so a replacement (say an
/// HMAC's hex digits) is never re-scanned. Instances are immutable and safe to share.
/// </remarks>
internal sealed class TextRedactor
{
    // The fewest digits a number must have to be scanned like a string: shorter ones (counts, amounts) are left unread.
    private const int MinSecretDigits = 9;

    // A hit's detector index for a credential-named field's value, found by its name rather than by a detector.
    private const int CredentialFieldHit = -1;

    // Built-ins are shared by every instance: the regexes are source-generated statics.
    private static readonly RedactionDetector[] Secrets =
    [
        new(RedactionKinds.PrivateKey, RedactionPatterns.PrivateKey, MayMatch: static text => text.Contains("-----BEGIN", StringComparison.Ordinal)),
        new(RedactionKinds.BearerToken, RedactionPatterns.BearerToken, SecretStart: RedactionChecks.BearerTokenStart),
        new(RedactionKinds.ApiKey, RedactionPatterns.ApiKey),
        new(RedactionKinds.AwsAccessKey, RedactionPatterns.AwsAccessKey),
        new(RedactionKinds.AwsSecretKey, RedactionPatterns.AwsSecretKey, SecretStart: RedactionChecks.AwsSecretKeyStart),
    ];

    private static readonly RedactionDetector[] PersonalData =
    [
        new(RedactionKinds.Email, RedactionPatterns.Email, MayMatch: static text => text.Contains('@', StringComparison.Ordinal)),
        new(RedactionKinds.Card, RedactionPatterns.Card, RedactionChecks.IsCardNumber, MayMatch: HasDigit, Shorter: RedactionChecks.CardWithoutLastGroup),
        new(RedactionKinds.Ip, RedactionPatterns.IPv6, RedactionChecks.IsIPv6Address, MayMatch: HasDigit),
        new(RedactionKinds.Ip, RedactionPatterns.IPv4, MayMatch: HasDigit),
        new(RedactionKinds.Phone, RedactionPatterns.InternationalPhone, RedactionChecks.IsInternationalPhone, MayMatch: HasDigit),
        new(RedactionKinds.Phone, RedactionPatterns.NationalPhone, MayMatch: HasDigit),
    ];

    private static bool HasDigit(string text) => text.AsSpan().ContainsAnyInRange('0', '9');

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(RedactionPatterns.MatchTimeoutMilliseconds);

    private readonly IRedactorProvider _redactorProvider;
    private readonly RedactionDetector[] _custom;
    private readonly RedactionDetector[] _detectors;
    private readonly Redactor[] _redactors;
    private readonly Redactor _timeoutRedactor;
    private readonly Redactor _credentialRedactor;

    public TextRedactor(IRedactorProvider redactorProvider)
        : this(redactorProvider, ReadOnlyDictionary<string, string>.Empty)
    {
    }

    /// <param name="redactorProvider">Supplies the replacement for each kind.</param>
    /// <param name="patterns">Extra kinds: name → .NET regex. Matches are replaced like built-ins, with the name as kind.</param>
    /// <exception cref="ArgumentException">A name is not 1–64 of <c>[A-Za-z0-9_.-]</c>, or a pattern is not a valid regex.</exception>
    public TextRedactor(IRedactorProvider redactorProvider, IReadOnlyDictionary<string, string> patterns)
        : this(redactorProvider, [], patterns)
    {
    }

    private TextRedactor(IRedactorProvider redactorProvider, RedactionDetector[] inherited, IReadOnlyDictionary<string, string> patterns)
    {
        ArgumentNullException.ThrowIfNull(redactorProvider);
        ArgumentNullException.ThrowIfNull(patterns);

        _redactorProvider = redactorProvider;
        _custom = [.. inherited, .. patterns.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => Compile(p.Key, p.Value))];
        _detectors = [.. Secrets, .. _custom, .. PersonalData];

        // Resolved once per instance, not per match: providers may build keyed HMACs and the like.
        var byKind = new Dictionary<string, Redactor>(StringComparer.Ordinal);
        _redactors = [.. _detectors.Select(d => RedactorFor(d.Kind, byKind))];
        _timeoutRedactor = RedactorFor(RedactionKinds.Timeout, byKind);
        _credentialRedactor = RedactorFor(RedactionKinds.CredentialField, byKind);
    }

    /// <summary>
    /// This instance's detectors plus <paramref name="patterns"/>, e.g. a prompt's own patterns on top of
    /// the gateway's. Build it once per prompt version and keep it: patterns are compiled here.
    /// </summary>
    /// <exception cref="ArgumentException">A name or a pattern is invalid.</exception>
    public TextRedactor WithPatterns(IReadOnlyDictionary<string, string> patterns) => new(_redactorProvider, _custom, patterns);

    /// <summary>
    /// <paramref name="text"/> with every detected span replaced, counting each in <paramref name="tally"/>.
    /// Returns the same instance when nothing matched. If any scan times out, the whole text is replaced
    /// (kind <see cref="RedactionKinds.Timeout"/>): a scan that did not finish cannot vouch for the rest.
    /// </summary>
    public string Redact(string text, RedactionTally tally)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tally);

        // JSON inside a string (a tool's result, a function's arguments) keeps its own escapes, and .NET's serializer
        // writes '+' as \u002B: "\u002B44 20 7946 0958" is a phone number no pattern reads as written, and an email's
        // match would start after the escape. The unescaped reading is scanned first, and kept when it had something to
        // redact; otherwise the text stays as written.
        if (text.Contains("\\u", StringComparison.Ordinal) && UnescapeUnicode(text) is { } decoded)
        {
            var found = new RedactionTally();
            var redacted = RedactAsWritten(decoded, found);
            if (!ReferenceEquals(redacted, decoded))
            {
                tally.Add(found);
                return redacted;
            }
        }

        return RedactAsWritten(text, tally);
    }

    /// <summary>
    /// The text with its <c>\uXXXX</c> escapes read as the characters they stand for; null when it has none to read. An
    /// escaped backslash (<c>\\</c>) is passed over, and an escape of a character JSON must keep escaped (a quote, a
    /// backslash, a control character) is left as written: the result stays the valid JSON text it was.
    /// </summary>
    private static string? UnescapeUnicode(string text)
    {
        StringBuilder? builder = null;
        var position = 0;
        for (var i = text.IndexOf('\\'); i >= 0 && i + 1 < text.Length; i = text.IndexOf('\\', i))
        {
            if (text[i + 1] != 'u')
            {
                // Another escape (an escaped backslash included): its two characters are passed over together.
                i += 2;
                continue;
            }

            if (i + 6 > text.Length
                || !ushort.TryParse(text.AsSpan(i + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var code)
                || code < 0x20 || code is '"' or '\\' or (>= 0xD800 and <= 0xDFFF))
            {
                i += 2;
                continue;
            }

            builder ??= new StringBuilder(text.Length);
            builder.Append(text, position, i - position).Append((char)code);
            position = i + 6;
            i += 6;
        }

        return builder?.Append(text, position, text.Length - position).ToString();
    }

    /// <summary>
    /// The text with each two-character escape that ends in a letter (<c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\b</c>,
    /// <c>\f</c>) and each <c>\uXXXX</c> escape still written (a control character, a quote, a lone surrogate: the
    /// ones <see cref="UnescapeUnicode"/> leaves) read as spaces, at the same positions; null when it has none. JSON
    /// inside a string (a tool call's arguments, a structured answer) writes a line break as a backslash and an
    /// <c>n</c>, and every pattern refuses a match right after a letter: "my key:\nsk-…" hid the key from the scan.
    /// </summary>
    private static string? MaskLetterEscapes(string text)
    {
        char[]? masked = null;
        for (var i = text.IndexOf('\\'); i >= 0 && i + 1 < text.Length; i = text.IndexOf('\\', i))
        {
            var length = EscapeLength(text, i);
            if (length > 0)
            {
                masked ??= text.ToCharArray();
                Array.Fill(masked, ' ', i, length);
                i += length;
                continue;
            }

            // Another escape (an escaped backslash included) is passed over whole, so "\\n" stays a backslash and an n.
            i += 2;
        }

        return masked is null ? null : new string(masked);
    }

    // The length of the escape a masked scan reads as spaces at i (a backslash): 2, 6 for \uXXXX, 0 for one it keeps.
    private static int EscapeLength(string text, int i) =>
        text[i + 1] is 'n' or 'r' or 't' or 'b' or 'f' ? 2
        : text[i + 1] == 'u' && i + 6 <= text.Length && char.IsAsciiHexDigit(text[i + 2]) && char.IsAsciiHexDigit(text[i + 3])
            && char.IsAsciiHexDigit(text[i + 4]) && char.IsAsciiHexDigit(text[i + 5]) ? 6
        : 0;

    private string RedactAsWritten(string text, RedactionTally tally)
    {
        if (text.Length == 0)
        {
            return text;
        }

        // Scanned with its letter escapes masked, replaced in the text as written: the positions are the same.
        var scanned = MaskLetterEscapes(text) ?? text;
        List<Hit>? hits = null;
        try
        {
            FindCredentialFields(scanned, ref hits);
            for (var d = 0; d < _detectors.Length; d++)
            {
                var detector = _detectors[d];
                if (detector.MayMatch is { } mayMatch && !mayMatch(scanned))
                {
                    continue;
                }

                foreach (var match in detector.Pattern.EnumerateMatches(scanned))
                {
                    var value = scanned.AsSpan(match.Index, match.Length);
                    if (value.IsEmpty)
                    {
                        continue;
                    }

                    if (detector.Accepts is not null && !detector.Accepts(value))
                    {
                        if (detector.Shorter?.Invoke(value) is not (> 0 and var shorter) || !detector.Accepts(value[..shorter]))
                        {
                            continue;
                        }

                        value = value[..shorter];
                    }

                    var start = detector.SecretStart?.Invoke(value) ?? 0;
                    Claim(ref hits, new Hit(match.Index + start, value.Length - start, d));
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            tally.Add(RedactionKinds.Timeout);
            return _timeoutRedactor.Redact(text);
        }

        if (hits is null)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var position = 0;
        foreach (var hit in hits)
        {
            // A hit that begins or ends inside a masked escape (a configured pattern may match its spaces) takes the
            // whole escape: half of one left beside the replacement would be a broken escape in the JSON text.
            var startsInside = MaskedEscapeAround(text, scanned, hit.Start);
            var endsInside = MaskedEscapeAround(text, scanned, hit.End);
            var start = Math.Max(position, startsInside >= 0 ? startsInside : hit.Start);
            var end = endsInside >= 0 ? endsInside + EscapeLength(text, endsInside) : hit.End;
            builder.Append(text, position, start - position);
            builder.AppendRedacted(hit.Detector == CredentialFieldHit ? _credentialRedactor : _redactors[hit.Detector], text.AsSpan(start, end - start));
            tally.Add(hit.Detector == CredentialFieldHit ? RedactionKinds.CredentialField : _detectors[hit.Detector].Kind);
            position = end;
        }

        return builder.Append(text, position, text.Length - position).ToString();
    }

    /// <summary>
    /// Claims the values of credential-named fields in JSON text (or a Python dict's repr) as written: a string value
    /// whole, every string in a <c>headers</c> object, a <c>server_url</c>'s path and query. Only string contents are
    /// replaced, between their quotes, so JSON text stays valid; a number is left to the patterns. A value the text
    /// cuts off (no closing quote) is claimed to the end.
    /// </summary>
    private static void FindCredentialFields(string scanned, ref List<Hit>? hits)
    {
        var text = scanned.AsSpan();
        if (text.IndexOfAny(CredentialFields.Stems) < 0 || !text.Contains(':'))
        {
            return;
        }

        // Past the end of a headers object already claimed: its values are claimed, and rescanning nested (or unclosed)
        // objects from each of their names made the scan quadratic in a text of "headers":{ repeated.
        var claimedUntil = 0;
        foreach (var match in RedactionPatterns.FieldName.EnumerateMatches(scanned))
        {
            if (match.Index < claimedUntil)
            {
                continue;
            }

            var name = text.Slice(match.Index + 1, text[(match.Index + 1)..].IndexOf(text[match.Index]));
            var value = match.Index + match.Length;
            if (value >= text.Length)
            {
                continue;
            }

            if (text[value] is '"' or '\'')
            {
                // The value's end is looked for only when it is claimed, and the names inside it are then skipped: an
                // unclosed value runs to the text's end, and scanning it from every name before it was quadratic.
                if (CredentialFields.IsCredential(name))
                {
                    var end = StringEnd(text, value);
                    ClaimString(ref hits, value + 1, end);
                    claimedUntil = end;
                }
                else if (CredentialFields.IsServerUrl(name))
                {
                    var end = StringEnd(text, value);
                    ClaimString(ref hits, value + 1 + CredentialFields.UrlSecretStart(text[(value + 1)..end]), end);
                    claimedUntil = end;
                }
            }
            else if (text[value] == '{' && CredentialFields.IsHeaderMap(name))
            {
                claimedUntil = ClaimValuesIn(text, value, ref hits);
            }
        }
    }

    /// <summary>
    /// Every string value (not a name) in the object or array that starts at <paramref name="open"/>, at any depth.
    /// Returns where it ends (the text's end when it is not closed).
    /// </summary>
    private static int ClaimValuesIn(ReadOnlySpan<char> text, int open, ref List<Hit>? hits)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    if (--depth == 0)
                    {
                        return i + 1;
                    }

                    break;
                case '"' or '\'':
                    var end = StringEnd(text, i);
                    var next = end + 1;
                    while (next < text.Length && text[next] is ' ' or '\t' or '\r' or '\n')
                    {
                        next++;
                    }

                    if (next >= text.Length || text[next] != ':')
                    {
                        ClaimString(ref hits, i + 1, end);
                    }

                    i = end;
                    break;
            }
        }

        return text.Length;
    }

    // The closing quote of the string that opens at `open` (skipping escapes), or the text's end when it has none.
    private static int StringEnd(ReadOnlySpan<char> text, int open)
    {
        var quote = text[open];
        for (var i = open + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == quote)
            {
                return i;
            }
        }

        return text.Length;
    }

    private static void ClaimString(ref List<Hit>? hits, int start, int end)
    {
        if (end > start)
        {
            Claim(ref hits, new Hit(start, end - start, CredentialFieldHit));
        }
    }

    // The start of the masked escape position i lies strictly inside (after its backslash), or -1.
    private static int MaskedEscapeAround(string text, string scanned, int i)
    {
        if (ReferenceEquals(text, scanned) || i <= 0 || i >= text.Length || scanned[i] != ' ' || text[i] == ' ')
        {
            return -1;
        }

        for (var j = i - 1; j >= 0 && j >= i - 5; j--)
        {
            if (text[j] == '\\' && scanned[j] == ' ')
            {
                return i - j < EscapeLength(text, j) ? j : -1;
            }
        }

        return -1;
    }

    /// <summary>
    /// Redacts every string value under <paramref name="node"/> in place; property names are kept, as
    /// they are the request's schema, not its content. A field named for a credential (<see cref="CredentialFields"/>)
    /// has its value replaced whole, whatever it looks like; every value of a <c>headers</c> object is; a
    /// <c>server_url</c> keeps its scheme and host only.
    /// </summary>
    /// <param name="numbers">
    /// Long numbers are read too (as their text), and replaced by the marker when they hold a secret: for user data such
    /// as prompt variables, where a card number sent as a JSON number is the same secret as in a string; not for a
    /// request's parameters, whose numbers are settings.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="node"/> is a string with no parent, which cannot be replaced in place; use <see cref="Redact"/>.</exception>
    public void RedactJson(JsonNode? node, RedactionTally tally, bool numbers = false)
    {
        ArgumentNullException.ThrowIfNull(tally);

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            // Failing here rather than leaving the value as it was: silently storing it unredacted would be worse.
            if (value.Parent is null)
            {
                throw new ArgumentException("A string with no parent cannot be redacted in place; redact the text instead.", nameof(node));
            }

            if (TryRedactString(value, tally, numbers: false, out var redacted))
            {
                value.ReplaceWith(redacted);
            }

            return;
        }

        RedactTree(node, tally, numbers, schemaProperties: false);
    }

    /// <param name="schemaProperties">
    /// The node is a JSON Schema's <c>properties</c>: its names are a tool's parameters, not fields holding data, so a
    /// <c>password</c> or <c>headers</c> parameter's schema is left to the patterns like any other.
    /// </param>
    private void RedactTree(JsonNode? node, RedactionTally tally, bool numbers, bool schemaProperties)
    {
        switch (node)
        {
            case JsonObject obj:
                for (var i = 0; i < obj.Count; i++)
                {
                    var (name, child) = obj.GetAt(i);
                    if (!schemaProperties && TryRedactField(name, child, tally, out var field))
                    {
                        if (!ReferenceEquals(field, child))
                        {
                            obj.SetAt(i, field);
                        }
                    }
                    else if (TryRedactString(child, tally, numbers, out var replacement))
                    {
                        obj.SetAt(i, replacement);
                    }
                    else
                    {
                        RedactTree(child, tally, numbers, schemaProperties: !schemaProperties && child is JsonObject && name == "properties" && IsObjectSchema(obj));
                    }
                }

                break;

            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var child = array[i];
                    if (TryRedactString(child, tally, numbers, out var replacement))
                    {
                        array[i] = replacement;
                    }
                    else
                    {
                        RedactTree(child, tally, numbers, schemaProperties: false);
                    }
                }

                break;
        }
    }

    /// <summary>
    /// A JSON Schema of an object (<c>"type": "object"</c>): its <c>properties</c> name parameters, not data. Any other
    /// object's <c>properties</c> (a client's variables, metadata) holds data, read by name like the rest.
    /// </summary>
    private static bool IsObjectSchema(JsonObject obj) =>
        obj.TryGetPropertyValue("type", out var type)
        && (type is JsonValue value && value.TryGetValue<string>(out var text) && text == "object"
            || type is JsonArray types && types.Any(t => t is JsonValue each && each.TryGetValue<string>(out var name) && name == "object"));

    /// <summary>
    /// Whether the field was dealt with by its name: a credential's string or number replaced whole, a <c>headers</c>
    /// object's values replaced in place (<paramref name="replacement"/> is then the same node), a <c>server_url</c> cut
    /// to its scheme and host. False for any other field, left to the patterns.
    /// </summary>
    private bool TryRedactField(string name, JsonNode? value, RedactionTally tally, out JsonNode? replacement)
    {
        replacement = value;
        switch (value)
        {
            case JsonValue scalar when CredentialFields.IsCredential(name):
                if (ScalarText(scalar) is not { Length: > 0 } secret)
                {
                    return false;
                }

                replacement = JsonValue.Create(RedactCredential(secret, tally));
                return true;

            case JsonObject headers when CredentialFields.IsHeaderMap(name):
                RedactEveryValue(headers, tally);
                return true;

            case JsonValue url when CredentialFields.IsServerUrl(name) && url.GetValueKind() == JsonValueKind.String:
                var text = StringOf(url, numbers: false)!;
                var start = CredentialFields.UrlSecretStart(text);
                if (start >= text.Length)
                {
                    return false;
                }

                // The host stays readable, and is scanned like any text (an IP address is still one).
                replacement = JsonValue.Create(string.Concat(Redact(text[..start], tally), RedactCredential(text.AsSpan(start), tally)));
                return true;

            default:
                return false;
        }
    }

    /// <summary>Replaces every string and number under <paramref name="node"/>, at any depth.</summary>
    private void RedactEveryValue(JsonNode node, RedactionTally tally)
    {
        switch (node)
        {
            case JsonObject obj:
                for (var i = 0; i < obj.Count; i++)
                {
                    var child = obj.GetAt(i).Value;
                    if (child is JsonValue scalar)
                    {
                        if (ScalarText(scalar) is { Length: > 0 } secret)
                        {
                            obj.SetAt(i, JsonValue.Create(RedactCredential(secret, tally)));
                        }
                    }
                    else if (child is not null)
                    {
                        RedactEveryValue(child, tally);
                    }
                }

                break;

            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var child = array[i];
                    if (child is JsonValue scalar)
                    {
                        if (ScalarText(scalar) is { Length: > 0 } secret)
                        {
                            array[i] = JsonValue.Create(RedactCredential(secret, tally));
                        }
                    }
                    else if (child is not null)
                    {
                        RedactEveryValue(child, tally);
                    }
                }

                break;
        }
    }

    // A string's text or a number's digits (a PIN, a numeric password); null for true, false and null, which hide nothing.
    private static string? ScalarText(JsonValue value) =>
        value.GetValueKind() == JsonValueKind.Number ? value.ToJsonString() : StringOf(value, numbers: false);

    private string RedactCredential(ReadOnlySpan<char> secret, RedactionTally tally)
    {
        tally.Add(RedactionKinds.CredentialField);
        return _credentialRedactor.Redact(secret);
    }

    private static RedactionDetector Compile(string name, string pattern)
    {
        if (name is null || !RedactionPatterns.KindName.IsMatch(name))
        {
            throw new ArgumentException($"Redaction pattern name '{name}' must be 1-64 of A-Z, a-z, 0-9, '_', '.', '-'.", nameof(name));
        }

        if (string.IsNullOrEmpty(pattern))
        {
            throw new ArgumentException($"Redaction pattern '{name}' is empty.", nameof(pattern));
        }

        try
        {
            // Configured patterns run on the linear-time engine: no pattern an operator writes can make a
            // sample's redaction backtrack catastrophically (lookarounds and backreferences are refused).
            return new RedactionDetector(name, new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, MatchTimeout));
        }
        catch (NotSupportedException ex)
        {
            throw new ArgumentException($"Redaction pattern '{name}' uses a construct the linear-time engine refuses (lookaround, backreference, atomic group): {ex.Message}", nameof(pattern), ex);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Redaction pattern '{name}' is not a valid regular expression: {ex.Message}", nameof(pattern), ex);
        }
    }

    /// <summary>Adds a hit unless it overlaps one an earlier (higher-priority) detector claimed; keeps hits sorted.</summary>
    private static void Claim(ref List<Hit>? hits, Hit hit)
    {
        if (hits is null)
        {
            hits = [hit];
            return;
        }

        // Hits never overlap, so sorted by start they are also sorted by end: only the neighbours can collide.
        var low = 0;
        var high = hits.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (hits[mid].Start < hit.Start)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        if ((low > 0 && hits[low - 1].End > hit.Start) || (low < hits.Count && hits[low].Start < hit.End))
        {
            return;
        }

        hits.Insert(low, hit);
    }

    private static string? StringOf(JsonValue value, bool numbers)
    {
        if (numbers && value.GetValueKind() == JsonValueKind.Number)
        {
            // A long number is read as its text; short ones (counts, amounts) cannot be a secret.
            var digits = value.ToJsonString();
            return digits.Count(char.IsAsciiDigit) >= MinSecretDigits ? digits : null;
        }

        if (value.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }

        if (value.TryGetValue<string>(out var text))
        {
            return text;
        }

        // A value built from another CLR type that serialises as a string (an enum, a Guid): read it
        // the way it will be written, so nothing stored escapes the scan.
        using var document = JsonDocument.Parse(value.ToJsonString());
        return document.RootElement.GetString();
    }

    private bool TryRedactString(JsonNode? node, RedactionTally tally, bool numbers, out JsonNode? replacement)
    {
        replacement = null;
        if (node is not JsonValue value || StringOf(value, numbers) is not { } text)
        {
            return false;
        }

        var redacted = Redact(text, tally);
        if (ReferenceEquals(redacted, text))
        {
            return false;
        }

        replacement = JsonValue.Create(redacted);
        return true;
    }

    private Redactor RedactorFor(string kind, Dictionary<string, Redactor> byKind)
    {
        if (!byKind.TryGetValue(kind, out var redactor))
        {
            redactor = _redactorProvider.GetRedactor(RedactionKinds.Classification(kind));
            byKind.Add(kind, redactor);
        }

        return redactor;
    }

    private readonly record struct Hit(int Start, int Length, int Detector)
    {
        public int End => Start + Length;
    }
}
