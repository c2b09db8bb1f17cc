namespace LlmGateway.Audit;

/// <summary>The audit trail's retention and flood limits, from <c>Gateway:Admin:Audit</c>.</summary>
internal sealed class AuditOptions
{
    /// <summary>Entries older than this are trimmed (on every write).</summary>
    public int RetentionDays { get; set; } = 400;

    /// <summary>
    /// A memory guard: beyond this many entries the oldest are trimmed, but never one from the
    /// last 24 hours, so nobody can push out the last day's entries by writing many new ones.
    /// </summary>
    public int MaxEntries { get; set; } = 1_000_000;

    /// <summary>
    /// Refusals of one valid admin token that are written to the log per minute; beyond it they
    /// are counted (<c>gateway.admin.refusals_unaudited</c>) and logged, not stored.
    /// </summary>
    public int RefusalsPerActorPerMinute { get; set; } = 30;
}
