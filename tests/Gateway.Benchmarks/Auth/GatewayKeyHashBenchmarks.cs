using BenchmarkDotNet.Attributes;
using LlmGateway.Auth;

namespace LlmGateway.Benchmarks.Auth;

/// <summary>
/// Every authenticated request hashes its bearer key to look it up: UTF-8 encode on the stack,
/// SHA-256, lower-case hex. The only allocation should be the 64-character hex string.
/// </summary>
[MemoryDiagnoser]
public class GatewayKeyHashBenchmarks
{
    // The shape GatewayKeySecret.Generate() produces: "gwk_" and 43 base64url characters.
    private const string Key = "gwk_q3Z8v0Xk2LrT9bN4wYc7HfJ1sPmA6dEuGiK5oRtV_x-";

    [GlobalSetup]
    public void Setup()
    {
        if (Key.Length != 47 || GatewayKeySecret.Hash(Key).Length != 64)
        {
            throw new InvalidOperationException("The sample key is not a typical 47-character gateway key.");
        }
    }

    [Benchmark]
    public string Hash() => GatewayKeySecret.Hash(Key);
}
