namespace LlmGateway.MockProvider.Pipeline;

/// <summary>Applies the request-level knobs (hang, ttfb-ms, status, fail-times) before any handler runs.</summary>
internal sealed class FaultInjectionMiddleware(RequestDelegate next, FailureCounter failures)
{
    private const int DefaultFailStatus = StatusCodes.Status503ServiceUnavailable;

    public async Task InvokeAsync(HttpContext context)
    {
        var knobs = MockKnobs.From(context.Request);
        context.Features.Set(knobs);
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

        if (InjectedStatus(knobs) is int status)
        {
            await OpenAiErrors.WriteInjectedAsync(context, status, knobs.RetryAfter);
            return;
        }

        await next(context);
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
