using System.Globalization;

namespace LlmGateway.MockProvider.Pipeline;

/// <summary>One step of the <c>schedule</c> knob: <c>ok</c>, a status (<c>500</c>), <c>cut:N</c>, <c>slow:MS</c> or <c>reset</c>.</summary>
internal readonly record struct ScheduleStep(ScheduleStepKind Kind, int Value)
{
    /// <summary>The step for the given attempt (1-based); past the end, the last step repeats.</summary>
    public static ScheduleStep Parse(string schedule, int attempt)
    {
        var steps = schedule.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (steps.Length == 0)
        {
            throw new InvalidRequestException("Mock knob 'schedule' must list steps: ok, a status 400-599, cut:N, slow:MS or reset.");
        }

        var step = steps[Math.Min(attempt, steps.Length) - 1];
        if (step.Equals("ok", StringComparison.OrdinalIgnoreCase))
        {
            return new(ScheduleStepKind.Ok, 0);
        }

        if (step.Equals("reset", StringComparison.OrdinalIgnoreCase))
        {
            return new(ScheduleStepKind.Reset, 0);
        }

        if (step.StartsWith("cut:", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(step.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var chunks))
        {
            return new(ScheduleStepKind.Cut, chunks);
        }

        if (step.StartsWith("slow:", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(step.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return new(ScheduleStepKind.Slow, milliseconds);
        }

        return int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var status) && status is >= 400 and <= 599
            ? new(ScheduleStepKind.Status, status)
            : throw new InvalidRequestException($"Mock knob 'schedule' has an unknown step '{step}': use ok, a status 400-599, cut:N, slow:MS or reset.");
    }
}
