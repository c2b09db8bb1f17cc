using System.Text.RegularExpressions;

namespace LlmGateway.Sampling.Redaction;

/// <summary>
/// The built-in detectors' regexes. Each is bounded by look-arounds so it does not fire inside a longer
/// word or number (a card number inside a hash, an IP inside a version string), and each carries a
/// match timeout because sample text is whatever a client or model chose to send.
/// </summary>
/// <remarks>
/// The built-ins scan in linear time (a few tens of milliseconds per megabyte), so the timeout is
/// generous: it is there for operators' custom patterns, and for the built-ins only on inputs far
/// larger than any sample, where failing closed is the right outcome anyway.
/// Digits are spelled <c>[0-9]</c>: <c>\d</c> also matches other scripts' digits, which no key or card uses.
/// </remarks>
internal static partial class RedactionPatterns
{
    public const int MatchTimeoutMilliseconds = 1000;

    public const int AwsSecretKeyLength = 40;

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    /// <summary>A whole PEM private key block; a block cut off by truncation is redacted to the end of the text.</summary>
    [GeneratedRegex(@"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY[A-Z ]{0,10}-----[\s\S]*?(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY[A-Z ]{0,10}-----|\z)", Options, MatchTimeoutMilliseconds)]
    public static partial Regex PrivateKey { get; }

    /// <summary>
    /// "Bearer" and its token; <see cref="RedactionChecks.BearerTokenStart"/> keeps the word. A token needs
    /// 12+ characters with a digit or an upper-case letter after the first, so "Bearer of bad news" or
    /// "bearer responsibility" stay. The word leads rather than sitting in a look-behind so the scan can
    /// jump between occurrences of it instead of testing every position.
    /// </summary>
    [GeneratedRegex(@"\b(?i:bearer)[ \t]+(?=[A-Za-z0-9._~+/-]{12})[A-Za-z0-9._~+/-](?=[A-Za-z0-9._~+/-]*[0-9A-Z])[A-Za-z0-9._~+/-]*=*", Options, MatchTimeoutMilliseconds)]
    public static partial Regex BearerToken { get; }

    /// <summary>
    /// Vendor-prefixed keys, and the gateway's own (gwk_ keys, gwa_ admin tokens). OpenAI's bare "sk-" prefix also starts ordinary hyphenated words
    /// ("sk-learn-compatible-estimators"), so it needs 20+ characters including a digit.
    /// </summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9_-])(?:sk-(?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]{20,}|gw[ka]_[A-Za-z0-9_-]{16,}|xox[abposr]-[A-Za-z0-9-]{10,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})", Options, MatchTimeoutMilliseconds)]
    public static partial Regex ApiKey { get; }

    [GeneratedRegex(@"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])", Options, MatchTimeoutMilliseconds)]
    public static partial Regex AwsAccessKey { get; }

    /// <summary>
    /// A secret key is 40 base64 characters, like many other things, so only the value of an
    /// <c>aws_secret_access_key</c> assignment (env, ini, JSON or YAML style) counts; the value is the
    /// last 40 characters of the match.
    /// </summary>
    [GeneratedRegex(@"\b(?i:aws_secret_access_key)[""']?[ \t]*[:=][ \t]*[""']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])", Options, MatchTimeoutMilliseconds)]
    public static partial Regex AwsSecretKey { get; }

    /// <summary>
    /// A field's name in JSON text (or a Python dict's repr, as a tool's result often is) and the colon after it, up to
    /// its value: <see cref="CredentialFields"/> decides by the name whether the value is read.
    /// </summary>
    [GeneratedRegex(@"(?<q>[""'])[A-Za-z0-9_.-]{1,200}\k<q>[ \t\r\n]*:[ \t\r\n]*", Options, MatchTimeoutMilliseconds)]
    public static partial Regex FieldName { get; }

    [GeneratedRegex(@"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![A-Za-z0-9-])", Options, MatchTimeoutMilliseconds)]
    public static partial Regex Email { get; }

    /// <summary>
    /// 13–19 digits, contiguous or in the printed groupings (4-4-4-4[-3], 4-6-5, 4-6-4) with one
    /// consistent separator. Candidates only: <see cref="RedactionChecks.IsCardNumber"/> decides.
    /// </summary>
    [GeneratedRegex(@"(?<![\w.-])(?:[0-9]{13,19}|[0-9]{4}(?<s>[ -])[0-9]{4}\k<s>[0-9]{4}\k<s>[0-9]{1,4}(?:\k<s>[0-9]{1,3})?|[0-9]{4}(?<t>[ -])[0-9]{6}\k<t>[0-9]{4,5})(?!\w|[.,][0-9])", Options, MatchTimeoutMilliseconds)]
    public static partial Regex Card { get; }

    /// <summary>
    /// Colon-separated hex groups, full or compressed, with an optional dotted IPv4 tail. Candidates
    /// only: <see cref="RedactionChecks.IsIPv6Address"/> parses them, which rules out clock times.
    /// </summary>
    [GeneratedRegex(@"(?<![\w:.])(?>(?:[0-9A-Fa-f]{0,4}:){2,7})(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]{1,4})?(?![\w:]|\.[0-9])", Options, MatchTimeoutMilliseconds)]
    public static partial Regex IPv6 { get; }

    /// <summary>Four dotted octets, each 0–255, not part of a longer dotted run ("1.2.3.4.5") or word ("v1.2.3.4").</summary>
    [GeneratedRegex(@"(?<![\w.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?!\w|\.[0-9])", Options, MatchTimeoutMilliseconds)]
    public static partial Regex IPv4 { get; }

    /// <summary>
    /// "+" and a country code, then digit groups split by single spaces, dots or dashes, the area code
    /// perhaps in parentheses. Candidates only: <see cref="RedactionChecks.IsInternationalPhone"/> counts digits.
    /// The atomic group keeps a digit run from being re-split on failure, which would be exponential.
    /// </summary>
    [GeneratedRegex(@"(?<![\w+])\+[1-9](?>[0-9]*(?:[ .-]?(?:\([0-9]{1,5}\)|[0-9]+))*)(?!\w)", Options, MatchTimeoutMilliseconds)]
    public static partial Regex InternationalPhone { get; }

    /// <summary>
    /// National forms that ordinary numbers do not take: "(555) 123-4567", "555-123-4567" or
    /// "555.123.4567" with one separator throughout, and trunk-prefixed "020 7946 0958". Bare
    /// space-separated digit groups are left alone; they are too often just numbers.
    /// </summary>
    [GeneratedRegex(@"(?<![\w.+-])(?:\([0-9]{3}\) ?[0-9]{3}[ .-][0-9]{4}|[0-9]{3}(?<s>[.-])[0-9]{3}\k<s>[0-9]{4}|0[0-9]{1,4}(?<t>[ -])[0-9]{3,4}\k<t>[0-9]{3,4})(?!\w|[.-][0-9])", Options, MatchTimeoutMilliseconds)]
    public static partial Regex NationalPhone { get; }

    /// <summary>Names of custom patterns: they end up inside markers and classification values.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,64}\z", RegexOptions.CultureInvariant)]
    public static partial Regex KindName { get; }
}
