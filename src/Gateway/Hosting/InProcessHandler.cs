using System.Net;
using Microsoft.AspNetCore.Http.Features;

namespace LlmGateway.Hosting;

/// <summary>
/// An <see cref="HttpClient"/> handler that sends into this gateway's own pipeline (<see cref="InProcessApplication"/>)
/// instead of a socket, for the gateway's calls to itself that read their answer (the online judge's). The answer is
/// kept whole, up to <paramref name="maxResponseBytes"/>, and handed back once the pipeline is done: for short JSON
/// answers, not streams. A caller's cancellation (HttpClient's timeout) returns at once and aborts the request. The request goes with no <c>Host</c>, which host filtering lets through unless told not to.
/// A client would see what a socket shows: an answer cut or failed on the way is an <see cref="HttpRequestException"/>,
/// and one longer than kept reads as one (<see cref="OverflowedContent"/>).
/// </summary>
/// <param name="mark">
/// Sets the caller's features on each request's exchange: what marks it as the gateway's own call (the online judge's),
/// which nothing sent over the network can claim.
/// </param>
internal sealed class InProcessHandler(InProcessApplication application, int maxResponseBytes, Action<FeatureCollection>? mark = null) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("An in-process request needs an absolute URI.");
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = new HeaderDictionary();
        // As sent, not as parsed (a parsed User-Agent is split at its spaces).
        foreach (var (name, values) in request.Headers.NonValidated)
        {
            headers[name] = values.ToString();
        }

        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers.NonValidated)
            {
                headers[name] = values.ToString();
            }
        }

        var exchange = new InProcessExchange(request.Method.Method, uri.Scheme, "", uri.AbsolutePath, headers, body, cancellationToken, uri.Query, maxResponseBytes);
        mark?.Invoke(exchange.Features);
        var sent = application.SendAsync(exchange);
        bool ran;
        try
        {
            // A caller past its deadline gives up at once, as over a socket: the pipeline, aborted, ends on its own.
            ran = await sent.WaitAsync(cancellationToken);
        }
        catch
        {
            _ = sent.ContinueWith(static (_, state) => ((InProcessExchange)state!).Dispose(), exchange, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }

        using var ended = exchange;
        if (!ran)
        {
            throw new HttpRequestException("The gateway's server is not running: nothing to send to in process.");
        }

        // A deadline first, as HttpClient reports it; then what a socket would have shown of the answer.
        cancellationToken.ThrowIfCancellationRequested();
        if (exchange.Failure is not null || exchange.WasAborted)
        {
            throw new HttpRequestException("The gateway ended the answer early.", exchange.Failure);
        }

        // Too long to keep: its status and headers still arrive (a caller reading headers first can bill it), and
        // reading its body fails, as HttpClient's own buffer limit would.
        var response = new HttpResponseMessage((HttpStatusCode)exchange.StatusCode)
        {
            RequestMessage = request,
            ReasonPhrase = exchange.ReasonPhrase,
            Content = exchange.BodyOverflowed ? new OverflowedContent(maxResponseBytes) : new ByteArrayContent(exchange.KeptBody.ToArray()),
        };
        foreach (var (name, values) in exchange.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                response.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        return response;
    }
}
