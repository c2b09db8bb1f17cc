using Fluid;
using Fluid.Ast;

namespace LlmGateway.Prompts;

/// <summary>
/// The depth of a parsed template's tree (statements and expressions, each node one level): what every later walk of
/// it, and every render, recurses through. Run where the stack is deep enough for any tree (see
/// <see cref="PromptTemplateAnalyzer.TryParse"/>).
/// </summary>
internal sealed class TemplateDepthMeter : AstVisitor
{
    private int _depth;

    public int MaxDepth { get; private set; }

    public static int Measure(IFluidTemplate template)
    {
        var meter = new TemplateDepthMeter();
        meter.VisitTemplate(template);
        return meter.MaxDepth;
    }

    public override Statement Visit(Statement statement) => OneLevelDown(statement, base.Visit);

    public override Expression Visit(Expression expression) => OneLevelDown(expression, base.Visit);

    private T OneLevelDown<T>(T node, Func<T, T> visit)
    {
        MaxDepth = Math.Max(MaxDepth, ++_depth);
        try
        {
            return visit(node);
        }
        finally
        {
            _depth--;
        }
    }
}
