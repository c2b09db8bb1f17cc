namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// The password of every store the harness starts or tells a gateway to start: Garnet started by the
/// gateway or the harness requires one (issue #15), and the harness connects to it itself (raw SETs,
/// INFO MEMORY). A loopback-only test store, so a constant is enough.
/// </summary>
internal static class HarnessStore
{
    public const string Password = "gateway-loadtests";
}
