using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Rewriting;

/// <summary>What one render of a bundle's templates may cost, from <c>Gateway:Templates</c>.</summary>
internal sealed class TemplateLimitsOptions
{
    public const string SectionName = "Gateway:Templates";

    /// <summary>Fluid's step budget per request (every loop iteration and statement counts; so, apart, does every value the loop ranges build); beyond it: 500 <c>template_error</c>.</summary>
    [Range(1_000, 100_000_000)]
    public int MaxSteps { get; set; } = 100_000;

    /// <summary>Fluid's recursion limit (nested blocks and includes).</summary>
    [Range(4, 1_000)]
    public int MaxRecursion { get; set; } = 64;

    /// <summary>
    /// Characters one request's rendered messages may hold in total (default 256 K). Also caps every string a
    /// filter or a <c>capture</c> builds, and every array a filter builds, so nothing grows past it unseen.
    /// </summary>
    [Range(1_024, 64 * 1024 * 1024)]
    public int MaxOutputChars { get; set; } = 256 * 1024;

    /// <summary>
    /// The largest range a template may loop over, checked at push: a literal range such as <c>(1..20)</c>, or one
    /// bounded by a variable's declared <c>maximum</c> (which may not exceed it either).
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxLoopIterations { get; set; } = 10_000;
}
