using System.Runtime.CompilerServices;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace LlmGateway.Rewriting;

/// <summary>
/// Fluid's range <c>(a..b)</c>, counted: Fluid builds a range's whole array before its step limit sees an iteration,
/// and the push-time bounds check sees each range once, not how often it is built. A range rebuilt inside a loop
/// (<c>{% for j in (1..n) limit: 1 %}</c> in a 10 000-pass loop) or bounded by a name the template overwrote would
/// allocate without limit; every value a render's ranges build counts against one budget (the step limit's size), and
/// the range past it throws before it is built.
/// </summary>
internal sealed class CappedRangeExpression(RangeExpression range, int maxValues) : Expression
{
    private const string BudgetKey = "gateway.range-values";

    public override async ValueTask<FluidValue> EvaluateAsync(TemplateContext context)
    {
        // Rounded as Fluid rounds them when it builds the range (Convert.ToInt32: to the nearest, halves to even).
        var from = decimal.Round((await range.From.EvaluateAsync(context)).ToNumberValue());
        var to = decimal.Round((await range.To.EvaluateAsync(context)).ToNumberValue());
        if (to >= from)
        {
            Charge(context, to - from + 1);
        }

        return await range.EvaluateAsync(context);
    }

    private void Charge(TemplateContext context, decimal values)
    {
        var built = context.AmbientValues.TryGetValue(BudgetKey, out var box) ? (StrongBox<decimal>)box : null;
        if (built is null)
        {
            built = new StrongBox<decimal>();
            context.AmbientValues[BudgetKey] = built;
        }

        built.Value += values;
        if (built.Value > maxValues)
        {
            throw new TemplateLimitExceededException("step limit (loop ranges)");
        }
    }
}
