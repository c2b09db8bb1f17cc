using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// Maps assertion types to scorers and runs an assertion end to end: resolves the <c>not-</c> prefix, substitutes
/// the case's vars into the value, and turns every way of not being able to score (unknown type, bad template,
/// a scorer that throws) into an errored result, which never passes.
/// </summary>
public sealed class ScorerRegistry
{
    /// <summary>The prefix that negates any scorer, as in promptfoo: <c>not-contains</c>.</summary>
    public const string NegationPrefix = "not-";

    private readonly FrozenDictionary<string, IScorer> _scorers;

    /// <summary>
    /// Creates a registry of <paramref name="scorers"/>; names are case-insensitive and must be unique. Every registry
    /// also knows <c>assert-set</c>, which scores its nested assertions through this registry.
    /// </summary>
    /// <exception cref="ArgumentException">Two scorers share a name, or a name starts with <see cref="NegationPrefix"/>.</exception>
    public ScorerRegistry(IEnumerable<IScorer> scorers)
    {
        ArgumentNullException.ThrowIfNull(scorers);
        var map = new Dictionary<string, IScorer>(StringComparer.OrdinalIgnoreCase)
        {
            [AssertSetScorer.TypeName] = new AssertSetScorer(this),
        };
        foreach (var scorer in scorers)
        {
            if (string.IsNullOrWhiteSpace(scorer.Name) || scorer.Name.StartsWith(NegationPrefix, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Scorer name '{scorer.Name}' is empty or starts with '{NegationPrefix}'.", nameof(scorers));
            }

            if (!map.TryAdd(scorer.Name, scorer))
            {
                throw new ArgumentException($"Two scorers are named '{scorer.Name}'.", nameof(scorers));
            }
        }

        _scorers = map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        Names = [.. map.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The known assertion types, sorted, without the <c>not-</c> variants.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>
    /// The built-in scorers. <c>similar</c> and <c>llm-rubric</c> are always known; without an
    /// <paramref name="embeddings"/> client or a <paramref name="judge"/> they report an error when used.
    /// </summary>
    public static ScorerRegistry CreateDefault(IEmbeddingClient? embeddings = null, ILlmJudge? judge = null) => new(
    [
        new EqualsScorer(),
        new ContainsScorer("contains", ignoreCase: false),
        new ContainsScorer("icontains", ignoreCase: true),
        new ContainsSetScorer("contains-any", requireAll: false, ignoreCase: false),
        new ContainsSetScorer("contains-all", requireAll: true, ignoreCase: false),
        new ContainsSetScorer("icontains-any", requireAll: false, ignoreCase: true),
        new ContainsSetScorer("icontains-all", requireAll: true, ignoreCase: true),
        new RegexScorer(RegexScorer.DefaultTimeout),
        new StartsWithScorer(),
        new IsJsonScorer(),
        new ContainsJsonScorer(),
        new JsonFieldScorer(),
        new LevenshteinScorer(),
        new RougeLScorer(),
        new IsRefusalScorer(),
        new IsAbstentionScorer(),
        new ToxicityScorer(),
        LimitScorer.Latency(),
        LimitScorer.Cost(),
        LimitScorer.OutputTokens(),
        new SimilarScorer(embeddings),
        new LlmRubricScorer(judge),
    ]);

    /// <summary>Finds the scorer for a type without the <c>not-</c> prefix.</summary>
    public bool TryGetScorer(string name, [NotNullWhen(true)] out IScorer? scorer) => _scorers.TryGetValue(name, out scorer);

    /// <summary>Scores one assertion. Never throws for a bad assertion or a failing scorer; only cancellation propagates.</summary>
    public async ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        ArgumentNullException.ThrowIfNull(input);

        var type = assertion.Type?.Trim() ?? string.Empty;
        var negate = type.StartsWith(NegationPrefix, StringComparison.OrdinalIgnoreCase);
        var name = negate ? type[NegationPrefix.Length..] : type;
        if (!_scorers.TryGetValue(name, out var scorer))
        {
            return ScoreResult.Errored(
                $"unknown assertion type '{type}'; known types (each also as '{NegationPrefix}<type>'): {string.Join(", ", Names)}");
        }

        if (!VarTemplate.TryRender(assertion.Value, input.Vars, out var value, out var templateError))
        {
            return ScoreResult.Errored($"{type}: {templateError}");
        }

        ScoreResult result;
        try
        {
            result = await scorer.ScoreAsync(assertion with { Value = value }, input, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // One broken scorer must cost one assertion, not the whole run.
            result = ScoreResult.Errored($"{type}: scorer threw {ex.GetType().Name}: {ex.Message}");
        }

        return negate ? result.Negate() : result;
    }
}
