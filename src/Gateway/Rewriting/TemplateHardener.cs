using Fluid.Ast;

namespace LlmGateway.Rewriting;

/// <summary>
/// Rewrites a parsed template for serving: every <c>capture</c> becomes a <see cref="CappedCaptureStatement"/> and
/// every range a <see cref="CappedRangeExpression"/>.
/// </summary>
internal sealed class TemplateHardener(int maxChars, int maxRangeValues) : AstRewriter
{
    protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
    {
        var visited = base.VisitCaptureStatement(captureStatement);
        return visited is CaptureStatement capture
            ? new CappedCaptureStatement(capture.Identifier, capture.Statements, maxChars)
            : visited;
    }

    protected override Expression VisitRangeExpression(RangeExpression rangeExpression)
    {
        var visited = base.VisitRangeExpression(rangeExpression);
        return visited is RangeExpression range ? new CappedRangeExpression(range, maxRangeValues) : visited;
    }
}
