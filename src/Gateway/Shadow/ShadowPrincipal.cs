using System.Collections.Concurrent;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using Microsoft.Extensions.Options;

namespace LlmGateway.Shadow;

/// <summary>
/// The shadow principal: one synthetic key per environment that a shadow copy (<see cref="ShadowCopy"/>, a feature
/// only this process can set) is served under. That key is billed apart (app <c>shadow</c>, its own usage rows) and
/// budgeted by <see cref="ShadowOptions.DailyBudgetUsd"/>, never against the key of the client whose request was copied.
/// There is no secret to leak or forge: a request from the network is never a copy.
/// </summary>
internal sealed class ShadowPrincipal(IOptions<ShadowOptions> options, TimeProvider time)
{
    public const string App = "shadow";

    private readonly DateTimeOffset _createdAt = time.GetUtcNow();

    // One key per environment, made on its first copy: the options do not change while the process runs, and the
    // environments are the releases' own (a copy's comes from the stable request's key), so there are few.
    private readonly ConcurrentDictionary<string, GatewayKey> _keys = new(StringComparer.Ordinal);

    /// <summary>The synthetic key when the request is a shadow copy; null for every other request.</summary>
    public GatewayKey? TryAuthenticate(HttpContext context) =>
        context.Features.Get<ShadowCopy>() is { } copy ? _keys.GetOrAdd(copy.Environment, Create) : null;

    private GatewayKey Create(string environment) =>
        new("shadow-" + environment, App, environment, [], _createdAt)
        {
            Limits = new KeyLimits(options.Value.DailyBudgetUsd, null, null),
            IsShadow = true,
            SpendSliceUsd = options.Value.DailyBudgetUsd * (decimal)options.Value.BudgetSliceShare is > 0 and var slice ? slice : null,
        };

    /// <summary>The stable sample id a shadow copy is paired with; null for any other request.</summary>
    public static string? PairedWith(HttpContext context) => context.Features.Get<ShadowCopy>()?.PairedWith;

    /// <summary>True for a shadow copy the gateway's stop cut (<see cref="ShadowCopy.CutByStop"/>); false for any other request.</summary>
    public static bool CutByStop(HttpContext context, Pipeline.ExchangeResult result) =>
        context.Features.Get<ShadowCopy>()?.CutByStop(context, result.Failed || result.ClientGone || result.Status >= StatusCodes.Status400BadRequest) == true;
}
