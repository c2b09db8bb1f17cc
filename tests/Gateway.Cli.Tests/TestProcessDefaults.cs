using System.Runtime.CompilerServices;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Cli.Tests;

/// <summary>What the gateway's, the evaluator's and gatewayctl's <c>Main</c> apply first, applied as this test process loads.</summary>
internal static class TestProcessDefaults
{
#pragma warning disable CA2255 // The test process is an executable: this runs before its first regular expression, as Main's call does.
    [ModuleInitializer]
    internal static void Apply() => RegexMatchDefaults.Apply();
#pragma warning restore CA2255
}
