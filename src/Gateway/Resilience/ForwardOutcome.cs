using LlmGateway.Errors;
using LlmGateway.Proxy;
using LlmGateway.Streaming;

namespace LlmGateway.Resilience;

/// <summary>How forwarding ended, after every attempt and fallback.</summary>
internal sealed class ForwardOutcome
{
    /// <summary>The model of the last attempt (the requested one when none was made).</summary>
    public required Providers.CatalogModel ServedModel { get; init; }

    /// <summary>Upstream attempts, every model included.</summary>
    public int Attempts { get; init; }

    /// <summary>The final attempt's tap (what the client received, for accounting and sampling); null if none was made.</summary>
    public ResponseTap? Tap { get; init; }

    /// <summary>The body the final attempt sent.</summary>
    public PooledBuffer? Body { get; init; }

    /// <summary>An error the gateway must answer itself (nothing reached the client); null when the response is already the provider's.</summary>
    public GatewayError? Error { get; init; }

    /// <summary>Set when the error is a 503 for open circuits: when to come back.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The response started, then the provider's stream was cut or stalled.</summary>
    public StreamInterruption? Interruption { get; init; }

    public bool ClientGone { get; init; }
}
