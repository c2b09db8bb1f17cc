using Fluid.Ast;

namespace LlmGateway.Rewriting;

/// <summary>Replaces every <c>capture</c> of a parsed template by a <see cref="CappedCaptureStatement"/>.</summary>
internal sealed class CaptureCapRewriter(int maxChars) : AstRewriter
{
    protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
    {
        var visited = base.VisitCaptureStatement(captureStatement);
        return visited is CaptureStatement capture
            ? new CappedCaptureStatement(capture.Identifier, capture.Statements, maxChars)
            : visited;
    }
}
