using System.Runtime.ExceptionServices;
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

    /// <summary>The deepest tree a template may parse to: what its walks and renders recurse through.</summary>
    public const int MaxTreeDepth = 160;

    // The parse recurses through brackets and blocks (the text's look bounds those in tags, not the lines of a liquid tag,
    // each a tag of its own), the measure through as long a chain of filters or operators as the text holds (two
    // characters a level: "|a"): a stack overflow ends the process, so both run on a stack deep enough for any text of
    // this length, 512 bytes for each of its characters: reserved, not committed, memory.
    private static int ParseStackBytes(string template) => (int)Math.Min(1L << 30, (64L << 20) + (512L * template.Length));

    /// <summary>
    /// The one way a template is parsed. Nesting that would overflow the stack is refused before (brackets and blocks,
    /// by a look at the text, <see cref="TemplateNesting"/>) and after (the parsed tree's depth, measured on a stack
    /// deep enough for any tree: every later walk and render of an accepted tree is within <see cref="MaxTreeDepth"/>).
    /// </summary>
    public bool TryParse(string template, out IFluidTemplate? parsed, out string? error)
    {
        if (TemplateNesting.Problem(template) is { } problem)
        {
            (parsed, error) = (null, problem);
            return false;
        }

        IFluidTemplate? result = null;
        string? failure = null;
        ExceptionDispatchInfo? thrown = null;
        var parser = new Thread(
            () =>
            {
                try
                {
                    if (_parser.TryParse(template, out result, out failure) && TemplateDepthMeter.Measure(result!) > MaxTreeDepth)
                    {
                        (result, failure) = (null, $"Nests deeper than {MaxTreeDepth} levels of tags, filters and operators (a chain of filters or operators counts a level each).");
                    }
                }
                catch (Exception ex)
                {
                    thrown = ExceptionDispatchInfo.Capture(ex);
                }
            },
            ParseStackBytes(template)) { IsBackground = true, Name = "template-parse" };
        parser.Start();
        parser.Join();
        thrown?.Throw();
        (parsed, error) = (result, failure);
        return result is not null;
    }

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

    /// <summary>
    /// Every name the template reads from its scope, whether or not it also gives it a value (<c>{% assign name = name |
    /// strip %}</c> still reads the client's <c>name</c> first).
    /// </summary>
    public static IReadOnlySet<string> ReadVariables(IFluidTemplate template)
    {
        var collector = new VariableCollector();
        collector.VisitTemplate(template);
        return collector.Used;
    }

    /// <summary>Names the template gives a value to (assign, capture, a loop variable, increment or decrement).</summary>
    public static IReadOnlySet<string> AssignedVariables(IFluidTemplate template)
    {
        var collector = new VariableCollector();
        collector.VisitTemplate(template);
        return collector.Defined;
    }

    /// <summary>
    /// Whether the template may print something other than a function of its variables: Liquid's date filters read the
    /// clock (<c>{{ "now" | date: "%Y" }}</c>), so such a template must render every time.
    /// </summary>
    public static bool ReadsTheClock(IFluidTemplate template)
    {
        var finder = new ClockFilterFinder();
        finder.VisitTemplate(template);
        return finder.Found;
    }

    private sealed class ClockFilterFinder : AstVisitor
    {
        // Fluid's filters that can turn "now" or "today" into the time of the render.
        private static readonly HashSet<string> ClockFilters = new(StringComparer.OrdinalIgnoreCase) { "date", "format_date", "time_zone", "change_time_zone" };

        public bool Found { get; private set; }

        protected override Expression VisitFilterExpression(FilterExpression filterExpression)
        {
            Found |= ClockFilters.Contains(filterExpression.Name);
            return base.VisitFilterExpression(filterExpression);
        }
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

        protected override Statement VisitDecrementStatement(DecrementStatement decrementStatement)
        {
            Defined.Add(decrementStatement.Identifier);
            return base.VisitDecrementStatement(decrementStatement);
        }
    }
}
