using System.Text.Json.Serialization;
using LlmGateway.Cli.History;
using LlmGateway.Cli.Keys;
using LlmGateway.Cli.Prompts;
using LlmGateway.Cli.Releases;
using LlmGateway.Cli.Samples;

namespace LlmGateway.Cli.Http;

/// <summary>
/// Source-generated JSON for every body gatewayctl reads or writes. snake_case as the contract is;
/// nulls are left out of requests so optional fields (reason, revision, evidence) are simply absent,
/// except where null means something (<see cref="SamplingRequest.Sampling"/>: back to the defaults).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ApiErrorEnvelope))]
[JsonSerializable(typeof(PushPromptResponse))]
[JsonSerializable(typeof(BundleSummary))]
[JsonSerializable(typeof(PromptListItem[]))]
[JsonSerializable(typeof(PromptDetail))]
[JsonSerializable(typeof(ApproveRequest))]
[JsonSerializable(typeof(ReleaseRecord))]
[JsonSerializable(typeof(SetReleaseRequest))]
[JsonSerializable(typeof(CanaryRequest))]
[JsonSerializable(typeof(ReleaseActionRequest))]
[JsonSerializable(typeof(AbortRequest))]
[JsonSerializable(typeof(SamplingRequest))]
[JsonSerializable(typeof(HistoryEvent))]
[JsonSerializable(typeof(ActiveRelease))]
[JsonSerializable(typeof(GatewayKeyRecord[]))]
[JsonSerializable(typeof(CreatedKey))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(SamplePage))]
[JsonSerializable(typeof(SampleRecord))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
