namespace LlmGateway.LoadTests.Comparison;

/// <summary>The systems a comparison can load, in the order each round visits them.</summary>
internal static class SystemNames
{
    /// <summary>The mock provider itself: the floor every proxy adds to.</summary>
    public const string Direct = "direct";

    /// <summary>One catch-all YARP route to the mock: the cost of "a reverse proxy" with no LLM feature.</summary>
    public const string YarpBare = "yarp-bare";

    /// <summary>The gateway with every feature on.</summary>
    public const string Gateway = "gateway";

    public static IReadOnlyList<string> All { get; } = [Direct, YarpBare, Gateway];
}
