using LlmGateway.Errors;

namespace LlmGateway.Proxy;

/// <summary>Reads a request body once into a pooled buffer, refusing it as soon as it passes the limit.</summary>
internal static class RequestBodyReader
{
    public static async ValueTask<(PooledBuffer? Body, GatewayError? Error)> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (null, GatewayError.BodyTooLarge(limit));
        }

        var buffer = new PooledBuffer((int)Math.Min(request.ContentLength ?? 16 * 1024, limit));
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
