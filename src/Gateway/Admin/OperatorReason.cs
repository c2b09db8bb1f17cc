namespace LlmGateway.Admin;

/// <summary>
/// The free-text reason an operator gives a release or rollout command. It is kept in the activation history and the
/// rollout, rewritten with every look of the controller, and sent in webhook texts: a few sentences, not a document.
/// </summary>
internal static class OperatorReason
{
    public const int MaxLength = 1000;

    /// <summary>A 400 naming <c>reason</c> when it is too long; null when it is fine (or absent).</summary>
    public static IResult? Check(string? reason) =>
        reason?.Length > MaxLength
            ? AdminResults.Invalid($"'reason' is at most {MaxLength} characters.", "reason")
            : null;
}
