using System.IO.Pipelines;
using LlmGateway.Errors;

namespace LlmGateway.Proxy;

/// <summary>
/// Reads a request body once into a pooled buffer, refusing it as soon as it passes the limit. The buffer grows as
/// bytes arrive: a <c>Content-Length</c> is only a claim, and sizing the buffer from it would let a client that
/// declares megabytes and sends a few bytes make the gateway hold the megabytes.
/// </summary>
internal static class RequestBodyReader
{
    /// <summary>The first buffer: most chat bodies fit, and a bigger one doubles as it fills.</summary>
    private const int InitialBytes = 16 * 1024;

    /// <param name="timeout">How long the body may take once one read has not brought all of it (a deadline, not a rate).</param>
    public static async ValueTask<(PooledBuffer? Body, GatewayError? Error)> ReadAsync(HttpRequest request, long limit, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (null, GatewayError.BodyTooLarge(limit));
        }

        // A smaller declared length may size the first buffer down; a larger one never sizes it up.
        var buffer = new PooledBuffer((int)Math.Min(Math.Min(request.ContentLength ?? InitialBytes, InitialBytes), limit));
        CancellationTokenSource? deadline = null;
        try
        {
            var reader = request.BodyReader;
            var token = cancellationToken;
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await reader.ReadAsync(token);
                }
                catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
                {
                    buffer.Dispose();
                    return (null, GatewayError.BodyTimedOut(timeout));
                }

                foreach (var segment in result.Buffer)
                {
                    if (buffer.Length + segment.Length > limit)
                    {
                        reader.AdvanceTo(result.Buffer.End);
                        buffer.Dispose();
                        return (null, GatewayError.BodyTooLarge(limit));
                    }

                    buffer.Write(segment.Span);
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return (buffer, null);
                }

                // Armed only for a body that did not come in one read: most do, and pay no timer.
                if (deadline is null)
                {
                    deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    deadline.CancelAfter(timeout);
                    token = deadline.Token;
                }
            }
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
        finally
        {
            deadline?.Dispose();
        }
    }
}
