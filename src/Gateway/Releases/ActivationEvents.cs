using LlmGateway.Contracts.Releases;

namespace LlmGateway.Releases;

/// <summary>How the gateway makes <see cref="ActivationEvent"/>s: their ids, and the version events (create, approve).</summary>
internal static class ActivationEvents
{
    /// <summary>A time-ordered id whose time is the event's own (the gateway's clock), not the wall clock's.</summary>
    public static string NewId(DateTimeOffset at) => "evt_" + Guid.CreateVersion7(at).ToString("N");

    public static ActivationEvent ForVersion(string action, string prompt, string actor, string? reason, DateTimeOffset at) => new()
    {
        Id = NewId(at),
        At = at,
        Prompt = prompt,
        Action = action,
        Actor = actor,
        Reason = reason,
    };
}
