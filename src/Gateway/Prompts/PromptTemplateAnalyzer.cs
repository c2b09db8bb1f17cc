using Fluid;
using Fluid.Ast;

namespace LlmGateway.Prompts;

/// <summary>
/// Parses Liquid templates once and lists the top-level variables they read, so a bundle that
/// uses an undeclared variable is refused at push time rather than rendering blanks in production.
/// </summary>
internal sealed class PromptTemplateAnalyzer
{
    // The parser is thread-safe and costly to build: one per process.
    private readonly FluidParser _parser = new();

    public FluidParser Parser => _parser;

    public bool TryParse(string template, out IFluidTemplate? parsed, out string? error) =>
        _parser.TryParse(template, out parsed, out error);

    /// <summary>Names read from the template's scope that the template itself does not define (loops, assign, capture).</summary>
    public static IReadOnlySet<string> FreeVariables(IFluidTemplate template)
    {
        var collector = new VariableCollector();
        collector.VisitTemplate(template);
        collector.Used.ExceptWith(collector.Defined);
        collector.Used.Remove("forloop");
        collector.Used.Remove("tablerowloop");
        collector.Used.Remove("empty");
        collector.Used.Remove("blank");
        return collector.Used;
    }

    private sealed class VariableCollector : AstVisitor
    {
        public HashSet<string> Used { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Defined { get; } = new(StringComparer.Ordinal);

        protected override Expression VisitMemberExpression(MemberExpression memberExpression)
        {
            if (memberExpression.Segments.Count > 0 && memberExpression.Segments[0] is IdentifierSegment identifier)
            {
                Used.Add(identifier.Identifier);
            }

            return base.VisitMemberExpression(memberExpression);
        }

        protected override Statement VisitForStatement(ForStatement forStatement)
        {
            Defined.Add(forStatement.Identifier);
            return base.VisitForStatement(forStatement);
        }

        protected override Statement VisitAssignStatement(AssignStatement assignStatement)
        {
            Defined.Add(assignStatement.Identifier);
            return base.VisitAssignStatement(assignStatement);
        }

        protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
        {
            Defined.Add(captureStatement.Identifier);
            return base.VisitCaptureStatement(captureStatement);
        }

        protected override Statement VisitIncrementStatement(IncrementStatement incrementStatement)
        {
            Defined.Add(incrementStatement.Identifier);
            return base.VisitIncrementStatement(incrementStatement);
        }
    }
}
