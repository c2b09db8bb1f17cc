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

    public static async ValueTask<(PooledBuffer? Body, GatewayError? Error)> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (null, GatewayError.BodyTooLarge(limit));
        }

        // A smaller declared length may size the first buffer down; a larger one never sizes it up.
        var buffer = new PooledBuffer((int)Math.Min(Math.Min(request.ContentLength ?? InitialBytes, InitialBytes), limit));
        try
        {
            var reader = request.BodyReader;
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
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
            }
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }
}
