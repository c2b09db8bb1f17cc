namespace LlmGateway.MockProvider.Generation;

/// <summary>Process-wide sequence for the <c>&lt;n&gt;</c> in ids such as <c>chatcmpl-mock-&lt;n&gt;</c>.</summary>
internal static class MockIds
{
    private static long _last;

    public static long Next() => Interlocked.Increment(ref _last);
}
