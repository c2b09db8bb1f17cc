namespace LlmGateway.LoadTests.ShadowTraffic;

/// <summary>
/// One arm of the shadow measurement: a prompt of the harness's bundle (<see cref="Scenarios.LoadTestBundle"/>, the same
/// v1 messages for both, only the name differs), either in a rollout's shadow step or with no rollout at all.
/// </summary>
/// <param name="Label"><c>A</c> (shadowed) or <c>B</c> (not).</param>
/// <param name="Prompt">The prompt's name; requests name it as <c>prompt:&lt;name&gt;</c>.</param>
/// <param name="Shadowed">True when its release is in a shadow step with a 100% share.</param>
internal sealed record ShadowArm(string Label, string Prompt, bool Shadowed)
{
    public static ShadowArm WithShadow { get; } = new("A", "lt-shadow-a", Shadowed: true);

    public static ShadowArm WithoutShadow { get; } = new("B", "lt-shadow-b", Shadowed: false);

    public static IReadOnlyList<ShadowArm> Both { get; } = [WithShadow, WithoutShadow];

    public string Describe() => Shadowed ? $"{Label} (shadow 100%)" : $"{Label} (no shadow)";

    /// <summary>Round <paramref name="round"/>'s order: A → B in odd rounds, B → A in even ones, so neither arm always goes first.</summary>
    public static IReadOnlyList<ShadowArm> OrderOf(int round) => round % 2 == 1 ? [WithShadow, WithoutShadow] : [WithoutShadow, WithShadow];
}
