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

    /// <summary>
    /// Audited requests (changes and audited reads) one valid admin token may make per minute on one
    /// instance. Beyond it the request is refused with 429 before it does any work, and is counted
    /// (<c>gateway.admin.refusals_unaudited{reason="audited_action_limit"}</c>), not stored: entries of the
    /// last day are never trimmed, so without this a low-privilege token looping on an audited read
    /// would grow the log in the store for a whole day.
    /// </summary>
    public int AuditedActionsPerActorPerMinute { get; set; } = 120;
}
