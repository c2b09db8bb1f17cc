using LlmGateway.Contracts.Releases;

namespace LlmGateway.Releases;

/// <summary>How the gateway makes <see cref="ActivationEvent"/>s: their ids, and the version events (create, approve).</summary>
internal static class ActivationEvents
{
    public static string NewId() => "evt_" + Guid.CreateVersion7().ToString("N");

    public static ActivationEvent ForVersion(string action, string prompt, string actor, string? reason, DateTimeOffset at) => new()
    {
        Id = NewId(),
        At = at,
        Prompt = prompt,
        Action = action,
        Actor = actor,
        Reason = reason,
    };
}
