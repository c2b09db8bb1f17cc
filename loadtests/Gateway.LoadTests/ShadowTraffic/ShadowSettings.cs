using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.ShadowTraffic;

/// <summary>How a shadow measurement is run.</summary>
/// <param name="Rate">Open model: client requests per second to the arm being measured (arm A's copies come on top).</param>
/// <param name="WarmupSeconds">Warm-up per arm before round 1, at the same rate; never measured.</param>
/// <param name="WindowSeconds">One measured window: one arm, one round.</param>
/// <param name="Rounds">Each round measures both arms, A → B in odd rounds and B → A in even ones.</param>
/// <param name="CooldownSeconds">
/// After each window, before its counters are read again: the last copies of an A window are answered in it, so they are
/// counted with that window and do not spill into the next one.
/// </param>
/// <param name="IdentityPairs">Requests per kind (chat, stream) sent to A and to B with the same input for the byte check.</param>
/// <param name="GoalMs">The goal: A's p99 is at most this much above B's.</param>
/// <param name="ExtraGatewaySettings">
/// <c>Key=Value</c> configuration given with <c>--gateway-setting</c>, for diagnostic runs (e.g. what online evaluation
/// costs A); empty for the goal's measurement, which runs the gateway's defaults.
/// </param>
/// <param name="EvaluatorApart">
/// The online evaluator runs in a process of its own (<c>Gateway.Evaluator</c>) and the gateway's is off, the documented
/// deployment for proxies beside separate evaluators; on this machine it still shares the cores with everything else.
/// </param>
/// <param name="Settle">
/// Wait after each window (and warm-up) until the gateway is quiet, so the next window does not inherit its deferred
/// work; the smoke, which judges no timing, skips it.
/// </param>
/// <param name="ControllerOff">
/// True when the gateway runs without its rollout controller (<see cref="GatewaySettings"/>); the smoke's shared gateway
/// keeps it on (the step's 24 h minimum keeps the rollout where it is).
/// </param>
internal sealed record ShadowSettings(
    double Rate,
    double WarmupSeconds,
    double WindowSeconds,
    int Rounds,
    double CooldownSeconds,
    int MaxInFlight,
    int IdentityPairs,
    StoreMode StoreMode,
    double GoalMs,
    IReadOnlyList<string> ExtraGatewaySettings,
    bool ControllerOff = true,
    bool Settle = true,
    bool EvaluatorApart = false)
{
    public const double DefaultGoalMs = 0.5;

    /// <summary>The gateway's configuration besides the harness's: no rollout controller, so nothing moves the shadow step; then any extra settings.</summary>
    public IReadOnlyList<string> GatewaySettings() =>
    [
        "--Gateway:Rollouts:Enabled=false",
        .. EvaluatorApart ? ["--Gateway:OnlineEval:Enabled=false"] : Array.Empty<string>(),
        .. ExtraGatewaySettings.Select(setting => "--" + setting),
    ];

    public LoadShape Load(double seconds) => new(Rate, Concurrency: 1, WarmupSeconds: 0, DurationSeconds: seconds, MaxInFlight);
}
