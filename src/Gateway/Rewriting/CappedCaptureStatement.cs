using System.Text.Encodings.Web;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace LlmGateway.Rewriting;

/// <summary>
/// Fluid's <c>capture</c>, but into a <see cref="CappedTextWriter"/>: a capture that doubles itself in a loop
/// (<c>{% capture s %}{{ s }}{{ s }}{% endcapture %}</c>) would otherwise build a string without limit before any
/// output is written.
/// </summary>
internal sealed class CappedCaptureStatement(string identifier, IReadOnlyList<Statement> statements, int maxChars) : Statement
{
    public string Identifier => identifier;

    public override async ValueTask<Completion> WriteToAsync(TextWriter writer, TextEncoder encoder, TemplateContext context)
    {
        context.IncrementSteps();
        using var captured = new CappedTextWriter(maxChars);
        var completion = Completion.Normal;
        foreach (var statement in statements)
        {
            completion = await statement.WriteToAsync(captured, encoder, context);
            if (completion != Completion.Normal)
            {
                break;
            }
        }

        // As Fluid's capture: the captured text is not encoded again.
        context.SetValue(identifier, new StringValue(captured.TakeText(), false));
        return completion;
    }
}
