using LlmGateway.Sampling;

namespace LlmGateway.Tests.Sampling;

/// <summary>Captures as the recorder queues them, for tests that build, queue or drop them: the identity fields fixed.</summary>
internal static class SampleCaptures
{
    /// <summary>A forced sample of a chat completion at the epoch; add what a test needs with <c>with</c>.</summary>
    public static SampleCapture Chat(byte[] clientBody, byte[] responseBody) => new()
    {
        Id = SampleIds.New(DateTimeOffset.UnixEpoch),
        RequestId = "req_1",
        Timestamp = DateTimeOffset.UnixEpoch,
        Reason = SampleReasons.Forced,
        Model = "gpt-4o-mini",
        Provider = "mock",
        KeyId = "key_1",
        Endpoint = "/v1/chat/completions",
        ClientBody = clientBody,
        ResponseBody = responseBody,
    };
}
