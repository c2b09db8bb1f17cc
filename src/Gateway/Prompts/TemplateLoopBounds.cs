using System.Globalization;
using Fluid;
using Fluid.Ast;

namespace LlmGateway.Prompts;

/// <summary>
/// Push-time check of every range in a template (<c>(a..b)</c>, in <c>for</c>, <c>tablerow</c> or anywhere else).
/// Fluid builds a range's whole array before its step limit counts a single iteration, so
/// <c>(1..2000000000)</c> hangs a render no runtime limit can stop. Each bound must be a number or a variable
/// declared with a <c>maximum</c> (a value the renderer refuses above it), and the widest range those allow must
/// stay within the configured iterations.
/// </summary>
internal static class TemplateLoopBounds
{
    public static List<string> Problems(IFluidTemplate template, IReadOnlyDictionary<string, int?> declared, int maxIterations)
    {
        var finder = new RangeFinder();
        finder.VisitTemplate(template);
        var problems = new List<string>();
        foreach (var range in finder.Ranges)
        {
            var from = Bound(range.From, declared, problems);
            var to = Bound(range.To, declared, problems);
            if (from is { } low && to is { } high && high.Max - low.Min + 1 > maxIterations)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"A loop range may cover at most {maxIterations} values (Gateway:Templates:MaxLoopIterations); this one can cover {high.Max - low.Min + 1}."));
            }
        }

        return problems;
    }

    private static (decimal Min, decimal Max)? Bound(Expression expression, IReadOnlyDictionary<string, int?> declared, List<string> problems)
    {
        switch (expression)
        {
            case LiteralExpression literal:
                var value = literal.Value.ToNumberValue();
                return (value, value);
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
