using System.Globalization;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// The outcome of one assertion. Construct through the factories, which keep the invariants: the score is in
/// [0, 1], and an errored result (<see cref="Error"/> set) never passes.
/// </summary>
public sealed class ScoreResult
{
    private ScoreResult(bool pass, double score, string reason, string? error)
    {
        Pass = pass;
        Score = score;
        Reason = reason;
        Error = error;
    }

    /// <summary>Whether the assertion passed. Always false when <see cref="Error"/> is set.</summary>
    public bool Pass { get; }

    /// <summary>The score in [0, 1]; 0 when errored.</summary>
    public double Score { get; }

    /// <summary>Why it passed or failed, for a human reading the report.</summary>
    public string Reason { get; }

    /// <summary>Set when the scorer could not run (bad value, invalid regex, judge failure…).</summary>
    public string? Error { get; }

    /// <summary>Whether the scorer could not run.</summary>
    public bool IsError => Error is not null;

    /// <summary>A passing result with score 1.</summary>
    public static ScoreResult Passed(string reason) => Of(true, 1, reason);

    /// <summary>A failing result with score 0.</summary>
    public static ScoreResult Failed(string reason) => Of(false, 0, reason);

    /// <summary>A graded result.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="score"/> is not in [0, 1].</exception>
    public static ScoreResult Of(bool pass, double score, string reason)
    {
        // NaN fails both comparisons, so it is rejected too.
        if (!(score >= 0 && score <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "A score must be in [0, 1].");
        }

        ArgumentNullException.ThrowIfNull(reason);
        return new ScoreResult(pass, score, reason, null);
    }

    /// <summary>A result for a scorer that could not run.</summary>
    public static ScoreResult Errored(string error)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(error);
        return new ScoreResult(false, 0, error, error);
    }

    /// <summary>
    /// The result of the <c>not-</c> variant: pass flips and the score becomes 1 − score. An errored result stays
    /// errored, because "could not check" says nothing about the negated claim either.
    /// </summary>
    public ScoreResult Negate() =>
        IsError ? this : new ScoreResult(!Pass, 1 - Score, $"negated: {Reason}", null);

    /// <inheritdoc />
    public override string ToString() =>
        IsError ? $"ERROR: {Error}" : string.Create(CultureInfo.InvariantCulture, $"{(Pass ? "PASS" : "FAIL")} ({Score:0.###}): {Reason}");
}
