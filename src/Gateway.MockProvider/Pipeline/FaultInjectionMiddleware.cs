namespace LlmGateway.MockProvider.Pipeline;

/// <summary>Applies the request-level knobs (hang, ttfb-ms, status, fail-times) before any handler runs.</summary>
internal sealed class FaultInjectionMiddleware(RequestDelegate next, FailureCounter failures)
{
    private const int DefaultFailStatus = StatusCodes.Status503ServiceUnavailable;

    public async Task InvokeAsync(HttpContext context)
    {
        var knobs = MockKnobs.From(context.Request);
        context.Features.Set(knobs);
        ResponseHeadersKnob.Apply(context.Response, knobs.ResponseHeaders);
        var aborted = context.RequestAborted;

        if (knobs.Hang)
        {
            // Never answer; only the client giving up ends this request.
            await Task.Delay(Timeout.Infinite, aborted);
            return;
        }

        if (knobs.TtfbMs is int ttfb and > 0)
        {
            await Task.Delay(ttfb, aborted);
        }

        if (knobs.Schedule is { } schedule)
        {
            await FollowScheduleAsync(context, knobs, schedule);
            return;
        }

        if (InjectedStatus(knobs) is int status)
        {
            await OpenAiErrors.WriteInjectedAsync(context, status, knobs, knobs.EmptyError);
            return;
        }

        await next(context);
    }

    /// <summary>
    /// The n-th request of a tag follows the n-th step (the last step repeats), and its reply says
    /// which attempt it was, so a test can tell attempts apart in what its client received.
    /// </summary>
    private async Task FollowScheduleAsync(HttpContext context, MockKnobs knobs, string schedule)
    {
        var attempt = failures.Next(knobs.Tag ?? string.Empty);
        var step = ScheduleStep.Parse(schedule, attempt);
        switch (step.Kind)
        {
            case ScheduleStepKind.Status:
                await OpenAiErrors.WriteInjectedAsync(context, step.Value, knobs);
                return;
            case ScheduleStepKind.Reset:
                context.Abort();
                return;
            case ScheduleStepKind.Slow:
                await Task.Delay(step.Value, context.RequestAborted);
                goto default;
            default:
                context.Features.Set(knobs with
                {
                    Reply = $"[attempt {attempt}] {knobs.Reply ?? "scheduled reply"}",
                    CutAfter = step.Kind == ScheduleStepKind.Cut ? step.Value : knobs.CutAfter,
                });
                await next(context);
                return;
        }
    }

    private int? InjectedStatus(MockKnobs knobs)
    {
        if (knobs.FailTimes is not int failTimes)
        {
            return knobs.Status;
        }

        return failures.ShouldFail(knobs.Tag ?? string.Empty, failTimes) ? knobs.Status ?? DefaultFailStatus : null;
    }
}
