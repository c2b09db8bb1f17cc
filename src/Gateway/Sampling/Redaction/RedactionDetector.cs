using System.Text.RegularExpressions;

namespace LlmGateway.Sampling.Redaction;

/// <summary>
/// One way of finding a kind of sensitive text: a regex that proposes candidates and, where a regex
/// alone would be too eager (Luhn, address parsing, digit counts), a check that confirms them.
/// </summary>
/// <param name="SecretStart">
/// Where the secret starts within a match that also takes its context ("Bearer ", "key = "), which stays
/// readable. A leading look-behind would do the same but makes the scan test every position.
/// </param>
/// <param name="MayMatch">
/// A cheap necessary condition (an '@' for an email, a digit for a card), so most text skips the
/// regex scan altogether: redaction is the costliest part of building a sample.
/// </param>
/// <param name="Shorter">
/// For a candidate <see cref="Accepts"/> refused, the length of a shorter one at the same start to check instead (0:
/// none): the regex has matched as far as it could and does not try less once the check refuses.
/// </param>
internal sealed record RedactionDetector(
    string Kind,
    Regex Pattern,
    Func<ReadOnlySpan<char>, bool>? Accepts = null,
    Func<ReadOnlySpan<char>, int>? SecretStart = null,
    Func<string, bool>? MayMatch = null,
    Func<ReadOnlySpan<char>, int>? Shorter = null);
