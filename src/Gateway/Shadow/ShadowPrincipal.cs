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

    /// <summary>
    /// Marks a shadow copy's end with whether it answered whole, from the same result its sample is decided on, so the
    /// dispatcher counts it as it is sampled (<see cref="ShadowCopy.AnsweredWhole"/>). Nothing for any other request.
    /// </summary>
    public static void Ended(HttpContext context, Pipeline.ExchangeResult result) =>
        context.Features.Get<ShadowCopy>()?.Ended(Incomplete(result));

    private static bool Incomplete(Pipeline.ExchangeResult result) =>
        result.Failed || result.ClientGone || result.Status >= StatusCodes.Status400BadRequest;

    /// <summary>
    /// True for a shadow copy whose answer says nothing about the candidate, so it is billed and counted but never
    /// sampled (and so never paired): one the gateway's stop cut (<see cref="ShadowCopy.CutByStop"/>), one its own
    /// timeout cut while its stable answer took as long (<see cref="ShadowCopy.Censored"/>), and one answered 429 (the
    /// provider throttled it: a stable request throttled so is never copied, so a throttled copy paired as the
    /// candidate's error would count the shared rate limit, which the copies themselves add to, against the candidate).
    /// False for any other request.
    /// </summary>
    public static bool KeptOutOfPairs(HttpContext context, Pipeline.ExchangeResult result)
    {
        if (context.Features.Get<ShadowCopy>() is not { } copy)
        {
            return false;
        }

        var incomplete = Incomplete(result);
        return result.Status == StatusCodes.Status429TooManyRequests || copy.CutByStop(context, incomplete) || copy.Censored(context, incomplete);
    }
}
