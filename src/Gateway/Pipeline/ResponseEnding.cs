using LlmGateway.Accounting;
using LlmGateway.Errors;
using LlmGateway.Resilience;
using LlmGateway.Streaming;

namespace LlmGateway.Pipeline;

/// <summary>
/// The last bytes of a response: usage in headers (held JSON), or after the stream as an SSE
/// comment, preceded by an error event when the provider cut or stalled the stream after it
/// started; or the gateway's own error when nothing of the provider's reached the client.
/// </summary>
internal static class ResponseEnding
{
    public static async Task DeliverAsync(HttpContext context, ResponseTap tap, ForwardOutcome outcome, AccountingRecord? record)
    {
        if (outcome.ClientGone || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        if (outcome.Interruption is { } interruption)
        {
            if (!tap.IsSse)
            {
                // Only a stream can say it ended badly; anything else must look truncated to the client.
                context.Abort();
                return;
            }

            await tap.WriteToClientAsync(StreamErrorEvent.For(interruption), context.RequestAborted);
        }

        if (record is null)
        {
            return;
        }

        context.Features.Set(record);
        if (outcome.Error is not null)
        {
            // The gateway's own error follows, and the key was billed for attempts its provider went on with: the
            // error's headers say so.
            if (!context.Response.HasStarted)
            {
                UsageHeaders.Apply(context.Response.Headers, record);
            }

            return;
        }

        if (tap.IsHolding)
        {
            UsageHeaders.Apply(context.Response.Headers, record);
        }
        else if (tap.IsSse)
        {
            // After the final event: clients ignore SSE comments, so naive ones are unaffected. A stream the provider
            // ended mid-line ("data: [DONE]" with no newline) gets its line and event ended first, not the comment glued on.
            await tap.WriteToClientAsync(UsageComment.Format(record, endLineFirst: tap.EndsMidLine), context.RequestAborted);
        }
    }

    /// <summary>The gateway's answer when forwarding failed before any byte reached the client.</summary>
    public static Task WriteErrorAsync(HttpContext context, ForwardOutcome outcome)
    {
        if (outcome.Error is not { } error || outcome.ClientGone || context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        if (outcome.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = RetryAfterHeader.Format(retryAfter);
        }

        return GatewayErrorWriter.WriteAsync(context, error);
    }
}
