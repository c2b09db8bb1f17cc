using Microsoft.AspNetCore.Http.Features;

namespace LlmGateway.Resilience;

/// <summary>
/// Stands in for the request lifetime while YARP forwards one attempt. Its token adds the
/// gateway's timers to the client's disconnect; and when YARP would abort the client connection
/// (a stream cut or stalled after it started), the abort is only recorded, so the gateway can
/// end the stream cleanly with an error event instead of a reset.
/// </summary>
internal sealed class ForwardingLifetime(IHttpRequestLifetimeFeature client, AttemptTimer timer) : IHttpRequestLifetimeFeature
{
    public CancellationToken RequestAborted
    {
        get => timer.Token;
        set => throw new NotSupportedException("The forwarding lifetime's token is the gateway's.");
    }

    /// <summary>YARP asked to abort the client connection.</summary>
    public bool AbortRequested { get; private set; }

    public bool ClientGone => client.RequestAborted.IsCancellationRequested;

    public AttemptTimer Timer => timer;

    public void Abort() => AbortRequested = true;
}
