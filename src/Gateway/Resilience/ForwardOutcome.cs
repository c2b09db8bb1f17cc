using LlmGateway.Errors;
using LlmGateway.Proxy;
using LlmGateway.Streaming;

namespace LlmGateway.Resilience;

/// <summary>
/// How forwarding ended, after every attempt and fallback. It belongs to the forwarder's (pooled) state for the request:
/// disposing it, once the request is over, gives that state back; nothing may read it after.
/// </summary>
internal sealed class ForwardOutcome(IDisposable? owner = null) : IDisposable
{
    /// <summary>The model of the last attempt (the requested one when none was made).</summary>
    public Providers.CatalogModel ServedModel { get; private set; } = null!;

    /// <summary>Upstream attempts, every model included.</summary>
    public int Attempts { get; private set; }

    /// <summary>The final attempt's tap (what the client received, for accounting and sampling); null if none was made.</summary>
    public ResponseTap? Tap { get; private set; }

    /// <summary>The body the final attempt sent.</summary>
    public PooledBuffer? Body { get; private set; }

    /// <summary>An error the gateway must answer itself (nothing reached the client); null when the response is already the provider's.</summary>
    public GatewayError? Error { get; private set; }

    /// <summary>Set when the error is a 503 for open circuits: when to come back.</summary>
    public TimeSpan? RetryAfter { get; private set; }

    /// <summary>The response started, then the provider's stream was cut or stalled.</summary>
    public StreamInterruption? Interruption { get; private set; }

    public bool ClientGone { get; private set; }

    /// <summary>
    /// The client left while the provider had been silent for a while (<see cref="ResilientForwarder.ClientLeftSilence"/>):
    /// a client's own timeout during a stall, not a user stopping an answer that was still coming.
    /// </summary>
    public bool ClientLeftAfterSilence { get; private set; }

    /// <summary>
    /// Attempts given up while their provider had the whole request and no answer of theirs reached the client (the
    /// client left; a timer fired; a held answer was cut, then retried): a provider goes on to answer (and bill) a request
    /// it has, so the gateway bills each too. Empty for almost every request.
    /// </summary>
    public IReadOnlyList<AbandonedAttempt> Abandoned { get; private set; } = [];

    /// <summary>The last attempt is among <see cref="Abandoned"/>: it is not the client's answer, whatever its status says.</summary>
    public bool LastAttemptAbandoned => Abandoned.Count > 0 && Abandoned[^1].Number == Attempts;

    /// <summary>Set once, when forwarding ends (and cleared when its state goes back to the pool).</summary>
    public void Set(
        Providers.CatalogModel servedModel, int attempts, ResponseTap? tap, PooledBuffer? body, GatewayError? error, TimeSpan? retryAfter, StreamInterruption? interruption, bool clientGone, IReadOnlyList<AbandonedAttempt> abandoned,
        bool clientLeftAfterSilence = false)
    {
        ServedModel = servedModel;
        Attempts = attempts;
        Tap = tap;
        Body = body;
        Error = error;
        RetryAfter = retryAfter;
        Interruption = interruption;
        ClientGone = clientGone;
        ClientLeftAfterSilence = clientLeftAfterSilence;
        Abandoned = abandoned;
    }

    public void Dispose() => owner?.Dispose();
}
