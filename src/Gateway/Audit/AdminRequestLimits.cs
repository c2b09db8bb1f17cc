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

    /// <summary>
    /// At most <see cref="RefusalLogLinesPerSecond"/> such lines a second from all addresses together (key
    /// <see cref="AllAddresses"/>): one per address alone let a holder of many addresses (an IPv6 /48 is 65,536 /64s)
    /// write thousands a second. Every refusal is still counted (<c>gateway.admin.refusals_unaudited</c>).
    /// </summary>
    public KeyedWindowLimiter RefusalLogsInAll { get; } = new(time, TimeSpan.FromSeconds(1), RefusalLogLinesPerSecond);

    public const int RefusalLogLinesPerSecond = 10;

    public const string AllAddresses = "*";

    /// <summary>Audited refusals per actor per minute.</summary>
    public KeyedWindowLimiter RefusalAudits { get; } = new(time, TimeSpan.FromMinutes(1), options.Audit.RefusalsPerActorPerMinute);

    /// <summary>Audited requests (changes, audited reads) per actor per minute.</summary>
    public KeyedWindowLimiter AuditedActions { get; } = new(time, TimeSpan.FromMinutes(1), options.Audit.AuditedActionsPerActorPerMinute);
}
