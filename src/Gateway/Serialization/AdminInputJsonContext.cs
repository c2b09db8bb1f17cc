using System.Text.Json.Serialization;
using LlmGateway.Admin;
using LlmGateway.Contracts.AdminTokens;
using LlmGateway.Contracts.Keys;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.EvalRuns;
using LlmGateway.Prompts;

namespace LlmGateway.Serialization;

/// <summary>
/// Strict reading of what people send the admin API: an unknown field is an error, not silently dropped, and so is a
/// field given twice (the last would otherwise win unseen, where a YAML file with the same key is refused).
/// </summary>
[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, AllowTrailingCommas = false, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(PromptBundleContent))]
[JsonSerializable(typeof(ApproveRequest))]
[JsonSerializable(typeof(ReleaseRequest))]
[JsonSerializable(typeof(SamplingChangeRequest))]
[JsonSerializable(typeof(EvalRun))]
[JsonSerializable(typeof(RolloutStartRequest))]
[JsonSerializable(typeof(RolloutControlRequest))]
[JsonSerializable(typeof(PriceRequest))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(IssueAdminTokenRequest))]
internal sealed partial class AdminInputJsonContext : JsonSerializerContext;
