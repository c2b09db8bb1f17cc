using System.Globalization;
using Fluid;
using Fluid.Ast;

namespace LlmGateway.Prompts;

/// <summary>
/// Push-time check of every range in a template (<c>(a..b)</c>, in <c>for</c>, <c>tablerow</c> or anywhere else).
/// Fluid builds a range's whole array before its step limit counts a single iteration, so
/// <c>(1..2000000000)</c> hangs a render no runtime limit can stop. Each bound must be a number or a variable
/// declared with a <c>maximum</c> (a value the renderer refuses above it) that no template of the bundle gives another
/// value, and the widest range those allow must stay within the configured iterations. (Renders count the values
/// their ranges build as well: <c>CappedRangeExpression</c>.)
/// </summary>
internal static class TemplateLoopBounds
{
    /// <param name="assigned">Names any template of the bundle assigns (they share one context when rendered).</param>
    public static List<string> Problems(IFluidTemplate template, IReadOnlyDictionary<string, int?> declared, IReadOnlySet<string> assigned, int maxIterations)
    {
        var finder = new RangeFinder();
        finder.VisitTemplate(template);
        var problems = new List<string>();
        foreach (var range in finder.Ranges)
        {
            var from = Bound(range.From, declared, assigned, problems);
            var to = Bound(range.To, declared, assigned, problems);
            if (from is { } low && to is { } high && high.Max - low.Min + 1 > maxIterations)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"A loop range may cover at most {maxIterations} values (Gateway:Templates:MaxLoopIterations); this one can cover {high.Max - low.Min + 1}."));
            }
        }

        return problems;
    }

    private static (decimal Min, decimal Max)? Bound(Expression expression, IReadOnlyDictionary<string, int?> declared, IReadOnlySet<string> assigned, List<string> problems)
    {
        switch (expression)
        {
            case LiteralExpression literal:
                var value = literal.Value.ToNumberValue();
                return (value, value);
            case MemberExpression { Segments: [IdentifierSegment identifier] } when assigned.Contains(identifier.Identifier) && declared.GetValueOrDefault(identifier.Identifier) is not null:
                // Its maximum holds only for the client's value: `{% assign count = 100000000 %}` would lift it.
                problems.Add($"The loop bound '{identifier.Identifier}' is given another value in a template (assign, capture or a loop variable); bound loops by a declared variable no template overwrites.");
                return null;
            case MemberExpression { Segments: [IdentifierSegment identifier] }:
                if (declared.TryGetValue(identifier.Identifier, out var maximum) && maximum is { } max)
                {
                    return (0, max);
                }

                problems.Add($"The loop bound '{identifier.Identifier}' must be a variable declared with a 'maximum' (or a number).");
                return null;
            default:
                problems.Add("A loop bound must be a number or a variable declared with a 'maximum', not an expression.");
                return null;
        }
    }

    private sealed class RangeFinder : AstVisitor
    {
        public List<RangeExpression> Ranges { get; } = [];

        protected override Expression VisitRangeExpression(RangeExpression rangeExpression)
        {
            Ranges.Add(rangeExpression);
            return base.VisitRangeExpression(rangeExpression);
        }
    }
}
