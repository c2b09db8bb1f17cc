using BenchmarkDotNet.Attributes;
using LlmGateway.Routing;

namespace LlmGateway.Benchmarks.Routing;

/// <summary>
/// The sticky stable/canary choice every released <c>prompt:&lt;name&gt;</c> request makes: lengths
/// and UTF-16 code units of (salt, prompt, key) into a buffer, one XxHash3, mod 10,000. Keys of up
/// to 512 bytes of buffer hash on the stack; longer ones rent from the array pool. Neither should
/// allocate.
/// </summary>
[MemoryDiagnoser]
public class VariantSelectorBenchmarks
{
    private const string Prompt = "support-bot";

    // A 10% canary, in basis points.
    private const int CanaryWeightBps = 1000;

    // VariantSelector's private StackLimit: the buffer size above which it rents instead.
    private const int StackLimit = 512;

    private string _salt = "";
    private string _sessionId = "";
    private string _key200 = "";
    private string _key400 = "";

    [GlobalSetup]
    public void Setup()
    {
        // The shapes the gateway sees: an 8-hex-digit release salt (ReleaseService.NewSalt) and an
        // X-Session-Id GUID. Fresh instances, as a request would bring them.
        _salt = new string("9c41e07b".AsSpan());
        _sessionId = new string("6f1c2a9e-3b7d-4e58-a0c4-d2b19f7e8a63".AsSpan());

        // Long stickiness keys (a body `user` can be anything): 200 characters still hash on the
        // stack, 400 go over the limit and use the pool.
        var filler = string.Concat(Enumerable.Repeat("tenant-42/user-alice.martin@example.com/", 12));
        _key200 = filler[..200];
        _key400 = filler[..400];

        if (_salt.Length != 8 || _sessionId.Length != 36
            || BufferSize(_key200) > StackLimit || BufferSize(_key400) <= StackLimit
            || VariantSelector.IsCanary(_salt, Prompt, _sessionId, CanaryWeightBps) != (VariantSelector.Bucket(_salt, Prompt, _sessionId) < CanaryWeightBps)
            || VariantSelector.Bucket(_salt, Prompt, _key400) != VariantSelector.Bucket(_salt, Prompt, new string(_key400.AsSpan())))
        {
            throw new InvalidOperationException("The sample keys are not what the benchmark expects.");
        }
    }

    [Benchmark]
    public bool IsCanarySessionId() => VariantSelector.IsCanary(_salt, Prompt, _sessionId, CanaryWeightBps);

    [Benchmark]
    public int BucketKey200Stack() => VariantSelector.Bucket(_salt, Prompt, _key200);

    [Benchmark]
    public int BucketKey400Pooled() => VariantSelector.Bucket(_salt, Prompt, _key400);

    // Mirrors VariantSelector.Bucket: three int32 lengths, then the UTF-16 code units.
    private int BufferSize(string key) => 12 + ((_salt.Length + Prompt.Length + key.Length) * sizeof(char));
}
