using System.Text;

namespace LlmGateway.MockProvider.Pipeline;

/// <summary>Records every provider request into <see cref="ReceivedRequestLog"/> before anything can reject it.</summary>
internal sealed class RequestRecordingMiddleware(RequestDelegate next, ReceivedRequestLog log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;

        // Buffer so the handler can read the body again after we captured its text.
        request.EnableBuffering();
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        request.Body.Position = 0;

        var headers = new Dictionary<string, string>(request.Headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = values.ToString();
        }

        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        log.Add(new ReceivedRequest(
            request.Method,
            request.Path.Value ?? string.Empty,
            request.QueryString.Value ?? string.Empty,
            headers,
            body,
            MockKnobs.Raw(request, "tag"),
            DateTimeOffset.UtcNow)
        {
            Finished = finished.Task,
        });

        try
        {
            await next(context);
        }
        finally
        {
            finished.TrySetResult();
        }
    }
}
