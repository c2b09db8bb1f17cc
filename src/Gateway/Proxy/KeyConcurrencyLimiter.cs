using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using LlmGateway.Errors;
using Microsoft.Extensions.Options;

namespace LlmGateway.Proxy;

/// <summary>
/// Caps the requests one gateway key has in flight on this instance (<see cref="ProxyOptions.MaxConcurrentRequestsPerKey"/>;
/// 0 turns it off). A slot is taken right after authentication and given back when the request has ended, its
/// stream included; a request over the cap is refused at once with 429, before its body is read. Counters are kept
/// per key id, so only authenticated keys ever get one. A request the client left (or the gateway timed out) while its
/// provider had the whole non-streamed request keeps its slot until that attempt's deadline
/// (<see cref="KeyConcurrencySlot.ReleaseAfter"/>): the provider goes on generating, and hanging up must not buy more
/// generations than the cap. The pending releases are bounded by the cap itself: each holds one of the key's places.
/// </summary>
internal sealed class KeyConcurrencyLimiter(IOptions<ProxyOptions> options, TimeProvider time)
{
    private readonly int _max = options.Value.MaxConcurrentRequestsPerKey;
    private readonly ConcurrentDictionary<string, StrongBox<int>> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Takes a slot for the key; dispose the result when the request has ended (it gives back only a slot it took).</summary>
    public KeyConcurrencySlot Enter(string keyId)
    {
        if (_max <= 0)
        {
            return KeyConcurrencySlot.Unlimited;
        }

        var count = _inFlight.GetOrAdd(keyId, static _ => new StrongBox<int>());
        if (Interlocked.Increment(ref count.Value) <= _max)
        {
            return new KeyConcurrencySlot(this, keyId, acquired: true);
        }

        Interlocked.Decrement(ref count.Value);
        return KeyConcurrencySlot.Refused;
    }

    /// <summary>The answer to a request over the cap, in OpenAI's rate-limit shape.</summary>
    public GatewayError Refusal() =>
        new(StatusCodes.Status429TooManyRequests, new OpenAiError(
            $"This key already has {_max} requests in flight, the most the gateway allows per key. Retry when one has finished.",
            "requests",
            null,
            "rate_limit_exceeded"))
        {
            RetryAfterSeconds = 1,
        };

    /// <summary>The clock a slot's deferred release waits on (a test's, in tests).</summary>
    internal TimeProvider Time => time;

    internal void Release(string keyId)
    {
        if (_inFlight.TryGetValue(keyId, out var count))
        {
            Interlocked.Decrement(ref count.Value);
        }
    }
}
