using LlmGateway.Contracts.Behaviour;
using LlmGateway.Contracts.Releases;

namespace LlmGateway.Behaviour;

/// <summary>
/// Which activation a detected change is tied to. The change's minute is the scan's estimate of where the new level
/// began, and it can land a minute or two early (docs/change-detection.md: within ±2 minutes in 81–98% of detected
/// hours); looking only backwards from it would then miss the activation just after it and name an older one. So the
/// candidates are the last event at or before the window's end and the first one after it (within the margin), and the
/// closer of the two to the window is named; at equal distance, the one before, since a cause precedes its effect.
/// </summary>
internal static class ActivationAttribution
{
    public static NearestActivation? Choose(ActivationEvent? atOrBefore, ActivationEvent? after, DateTimeOffset windowStart, DateTimeOffset windowEnd)
    {
        var chosen = (atOrBefore, after) switch
        {
            (null, null) => null,
            (null, { } next) => next,
            ({ } last, null) => last,
            ({ } last, { } next) => next.At - windowEnd < windowStart - last.At ? next : last,
        };

        return chosen is null ? null : new NearestActivation
        {
            Id = chosen.Id,
            At = chosen.At,
            Action = chosen.Action,
            Actor = chosen.Actor,
            Reason = chosen.Reason,
            Version = chosen.Version ?? chosen.After?.Canary ?? chosen.After?.Stable,
            SecondsBefore = Math.Max(0, (windowStart - chosen.At).TotalSeconds),
            SecondsAfter = Math.Max(0, (chosen.At - windowEnd).TotalSeconds),
        };
    }
}
