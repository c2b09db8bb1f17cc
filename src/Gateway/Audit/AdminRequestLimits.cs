using LlmGateway.Admin;

namespace LlmGateway.Audit;

/// <summary>
/// The admin API's in-process flood limits, which must outlive a request (the authorization
/// filter is created per request): failed authentications per remote address, the refusal log
/// line per remote address, audited refusals per actor, and audited actions per actor.
/// </summary>
internal sealed class AdminRequestLimits(TimeProvider time, AdminOptions options)
{
    /// <summary>Failed admin authentications per remote address per minute.</summary>
    public KeyedWindowLimiter FailedAuthentications { get; } = new(time, TimeSpan.FromMinutes(1), options.FailedAuthenticationsPerMinute);

    /// <summary>One log line per remote address per second for requests without a valid token.</summary>
    public KeyedWindowLimiter RefusalLogs { get; } = new(time, TimeSpan.FromSeconds(1), 1);

    /// <summary>Audited refusals per actor per minute.</summary>
    public KeyedWindowLimiter RefusalAudits { get; } = new(time, TimeSpan.FromMinutes(1), options.Audit.RefusalsPerActorPerMinute);

    /// <summary>Audited requests (changes, audited reads) per actor per minute.</summary>
    public KeyedWindowLimiter AuditedActions { get; } = new(time, TimeSpan.FromMinutes(1), options.Audit.AuditedActionsPerActorPerMinute);
}
