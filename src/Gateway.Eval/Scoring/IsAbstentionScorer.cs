using System.Text.RegularExpressions;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// <c>is-abstention</c>: a heuristic for "the model said it does not know", for hallucination checks on questions
/// the model cannot answer. Passes when the opening of the output admits not knowing, not finding or not being able
/// to verify ("I don't know", "that's not in my knowledge base", "I couldn't find any record of…"). The window and
/// the skipped phrases (quoted, reported, conditional) are <see cref="OpeningPhraseMatcher"/>'s. Case-insensitive.
/// </summary>
/// <remarks>
/// An empty output fails: it says nothing, so it is not an admission (use <c>is-refusal</c> to catch it).
/// Knowledge nouns must be followed by what the knowledge is about, or end the clause, so "we don't have data caps"
/// and "there's no information you need to provide" are not abstentions. Not finding, knowing of or being aware
/// of a flaw is a finding, not a gap: "I didn't find any issues with your code", "I couldn't identify any errors",
/// "I don't know of any reason why that wouldn't work". So is a record without a bad event: "there is no record of
/// a late payment on your account". "I'm not sure I follow / what you mean, but …" asks about the question and then
/// answers it. Keep README.md in step with the vocabulary.
/// </remarks>
internal sealed partial class IsAbstentionScorer : IScorer
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace;

    // A flaw looked for and not found: "any issues", "a single error", "any obvious security problems". The quantifier
    // is required ("I couldn't find the issue" is still a failure to find), and the adjective slot skips prepositions
    // and knowledge nouns, so "any information about errors" is not a flaw.
    private const string Flaw = """
        (?:any|an?|a\s+single)\s+(?:(?!(?:about|on|of|for|in|regarding|information|info|data|details|records?|mention)\b)[\w-]+\s+){0,2}
        (?:issues?|problems?|errors?|bugs?|mistakes?|faults?|defects?|vulnerabilit(?:y|ies)|conflicts?|discrepanc(?:y|ies)|typos?|anomal(?:y|ies)|red\s+flags?|concerns?)\b
        """;

    // Knowing of no reason or no flaw is a report that there is none.
    private const string NoProblem = @"(?:(?:any|a|an)\s+(?:[\w-]+\s+)?reasons?\b|" + Flaw + ")";

    // A knowledge noun must be followed by what the knowledge is about, or end the clause. The named groups are the
    // phrases that what follows can veto (Counts).
    private const string Pattern = """
        (?<know>\bI\s+(?:(?:really|honestly|just|simply|genuinely)\s+)?(?:don'?t|do\s+not)\s+know\b(?!\s+(?:why\s+you|about\s+you|if\s+you|whether\s+you)))
        |(?<unsure>\b(?:I'?m|I\s+am)\s+(?:(?:really|honestly|just)\s+)?(?:not\s+(?:sure|certain|aware\s+of|familiar\s+with)|unsure|uncertain)\b)
        |\bI\s+have\s+no\s+idea\b
        |\b(?:I|we)\s+(?:don'?t|do\s+not|didn'?t|did\s+not)\s+have\s+(?:any\s+|enough\s+|sufficient\s+|the\s+)?(?:(?:reliable|specific|current|up-to-date|verified|real-time|further|relevant|detailed|public)\s+)?(?:access\s+to\s+(?:any\s+|that\s+|this\s+|the\s+)?)?
            (?:information|info|data|details|records?|knowledge|facts|sources?)
            (?=\s+(?:about|on|regarding|for|of|concerning|related\s+to|available|in|to\s+(?:answer|confirm|verify|determine|say|tell|support))\b|\s*(?:[.,;:!?]|$))
        |\b(?:I|we)\s+have\s+no\s+(?:(?:reliable|specific|current|verified|further|relevant)\s+)?(?:information|info|data|details|records?|knowledge|way\s+(?:of|to)\s+(?:know|knowing|verify|verifying|tell|telling|confirm|confirming))\b
        |\bI\s+lack\s+(?:the\s+|any\s+|enough\s+|sufficient\s+)?(?:information|data|knowledge|details|context)\b
        |\b(?:not|isn'?t|aren'?t|wasn'?t)\s+(?:in|covered\s+(?:by|in)|included\s+in|found\s+in|available\s+in|part\s+of|mentioned\s+in)\s+(?:my|the|our)\s+
            (?:knowledge\s+base|knowledge|documentation|docs|sources|records|training\s+data|data|context|provided\s+(?:context|documents?|information|sources))\b
        |(?<find>\b(?:I|we)\s+(?:couldn'?t|could\s+not|can'?t|cannot|wasn'?t\s+able\s+to|was\s+(?:not\s+able|unable)\s+to|weren'?t\s+able\s+to|were\s+(?:not\s+able|unable)\s+to|didn'?t|did\s+not)\s+(?:find|locate|identify)\b
            (?!\s+(?:a\s+better|anything\s+better|a\s+cheaper|a\s+faster)))
        |(?<find>\b(?:I'?m|I\s+am|we're|we\s+are)\s+(?:unable|not\s+able)\s+to\s+(?:find|locate|identify)\b)
        |\b(?:I'?m|I\s+am|we're|we\s+are)\s+(?:unable|not\s+able)\s+to\s+(?:verify|confirm)\b
        |\b(?:I|we)\s+(?:can'?t|cannot|couldn'?t|could\s+not)\s+(?:verify|confirm|determine|(?:say|tell|know)\s+for\s+(?:sure|certain))\b
        |(?<record>\bthere(?:'s|\s+is|\s+are|\s+was|\s+were)\s+no\s+(?:(?:reliable|public|publicly\s+available|verified|available|known|official|specific|such|further)\s+)*
            (?:information|info|data|record|records|mention|details|evidence|documentation|reference|entry))
            (?=\s+(?:about|on|regarding|for|of|concerning|available|in|to\s+(?:suggest|indicate|confirm|support))\b|\s*(?:[.,;:!?]|$))
        |\bno\s+(?:information|data|records?|results?|details)\s+(?:(?:is|are|was|were)\s+)?(?:available|found)\b
        |\b(?:beyond|outside(?:\s+of)?)\s+(?:my|the\s+scope\s+of\s+my)\s+(?:knowledge|training\s+data)\b
        |\b(?:the\s+)?(?:provided\s+)?(?:context|documents?|sources?|passages?|search\s+results)\s+(?:provided\s+)?(?:doesn'?t|does\s+not|don'?t|do\s+not|didn'?t|did\s+not)\s+(?:contain|mention|include|say|specify|provide|cover|address)\b
        |\bno\s+way\s+(?:for\s+me\s+)?(?:of|to)\s+(?:know|knowing|tell|telling|verify|verifying)\b
        |\bI(?:\s+would|'d)\s+(?:only\s+)?be\s+guessing\b
        |\b(?:unknown|unclear)\s+to\s+me\b
        |\bI\s+(?:haven'?t|have\s+not|never)\s+heard\s+of\b
        |\bI\s+(?:don'?t|do\s+not)\s+recogni[sz]e\b
        """;

    public string Name => "is-abstention";

    public ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken)
    {
        var output = input.Output.Trim();
        if (output.Length == 0)
        {
            return ValueTask.FromResult(ScoreResult.Failed("output is empty: no admission of not knowing (is-refusal counts an empty output)"));
        }

        var phrase = OpeningPhraseMatcher.Find(output, Abstention(), out var where, Counts);
        var result = phrase is not null
            ? ScoreResult.Passed($"{where} admits not knowing: \"{phrase.Trim()}\"")
            : ScoreResult.Failed($"{where} admits no lack of knowledge");
        return ValueTask.FromResult(result);
    }

    // What follows the phrase can turn it into a finding (see the remarks).
    private static bool Counts(string text, Match match)
    {
        var rest = text.AsSpan(match.Index + match.Length);
        return !(match.Groups["know"].Success && KnowOfNoProblem().IsMatch(rest))
            && !(match.Groups["unsure"].Success && (AwareOfNoProblem().IsMatch(rest) || ClarificationThenAnswer().IsMatch(rest)))
            && !(match.Groups["find"].Success && NoFlawFound().IsMatch(rest))
            && !(match.Groups["record"].Success && NoBadEvent().IsMatch(rest));
    }

    // "I don't know | of any reason / of any issues".
    [GeneratedRegex(@"^\s+of\s+" + NoProblem, Options, 5000)]
    private static partial Regex KnowOfNoProblem();

    // "I'm not aware of | any reason / any issues".
    [GeneratedRegex(@"^\s+" + NoProblem, Options, 5000)]
    private static partial Regex AwareOfNoProblem();

    // "I'm not sure | I follow, but …", "I'm not sure | what you mean — but …".
    [GeneratedRegex("""
        ^\s+(?:I\s+(?:quite\s+)?(?:follow|understand|get\s+(?:you|it|what))|what\s+you(?:'re|\s+are)?\s+(?:mean|asking|referring|getting\s+at|after|looking\s+for)
          |which\s+\w+\s+you\s+mean)\b[^.!?\n]*?(?:[,;:\u2014\u2013]|\s-)\s*but\b
        """, Options, 5000)]
    private static partial Regex ClarificationThenAnswer();

    // "I didn't find | any issues".
    [GeneratedRegex(@"^\s+" + Flaw, Options, 5000)]
    private static partial Regex NoFlawFound();

    // "there is no record | of a late payment", "there are no records | of any complaints".
    [GeneratedRegex("""
        ^\s+of\s+(?:(?:a|an|any|prior|previous|past|recent)\s+)*
        (?:(?:late|missed|overdue|unpaid|failed|bounced|returned|disputed|fraudulent|suspicious|unauthori[sz]ed)\b
          |(?:[\w-]+\s+)?(?:violations?|infractions?|complaints?|claims?|accidents?|incidents?|defaults?|delinquenc(?:y|ies)|penalt(?:y|ies)|fines?
            |overdrafts?|chargebacks?|disputes?|fraud|breach(?:es)?|arrears|bankruptc(?:y|ies)|convictions?|suspensions?|warnings?|strikes?)\b)
        """, Options, 5000)]
    private static partial Regex NoBadEvent();

    [GeneratedRegex(Pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace, 5000)]
    private static partial Regex Abstention();
}
