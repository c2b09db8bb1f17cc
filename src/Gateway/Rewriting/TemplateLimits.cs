using Fluid;
using Microsoft.Extensions.Options;

namespace LlmGateway.Rewriting;

/// <summary>
/// The limits every render runs under, built once from <see cref="TemplateLimitsOptions"/>: Fluid's step and
/// recursion limits and size-checked filters (<see cref="FluidOptions"/>), the output cap (<see cref="CreateWriter"/>),
/// and capped captures and ranges (<see cref="Harden"/>, applied when a bundle is prepared).
/// </summary>
internal sealed class TemplateLimits
{
    public TemplateLimits(IOptions<TemplateLimitsOptions> options)
    {
        var limits = options.Value;
        MaxOutputChars = limits.MaxOutputChars;
        MaxLoopIterations = limits.MaxLoopIterations;
        FluidOptions = new TemplateOptions { MaxSteps = limits.MaxSteps, MaxRecursion = limits.MaxRecursion };
        SizeCheckedFilters.Apply(FluidOptions.Filters, MaxOutputChars);
        _hardener = new TemplateHardener(MaxOutputChars, limits.MaxSteps);
    }

    /// <summary>The defaults, for code built without the container (tools, tests).</summary>
    public static TemplateLimits Default { get; } = new(Options.Create(new TemplateLimitsOptions()));

    private readonly TemplateHardener _hardener;

    public TemplateOptions FluidOptions { get; }

    public int MaxOutputChars { get; }

    public int MaxLoopIterations { get; }

    public CappedTextWriter CreateWriter() => new(MaxOutputChars);

    /// <summary>The template with every <c>capture</c> and range capped.</summary>
    public IFluidTemplate Harden(IFluidTemplate template) => _hardener.VisitTemplate(template);
}
