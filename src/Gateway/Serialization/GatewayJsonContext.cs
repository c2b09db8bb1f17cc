using LlmGateway.Contracts.Rollouts;
using LlmGateway.Contracts.Behaviour;
using System.Text.Json.Serialization;
using LlmGateway.Accounting;
using LlmGateway.Admin;
using LlmGateway.Audit;
using LlmGateway.Auth;
using LlmGateway.Contracts.AdminTokens;
using LlmGateway.Contracts.Keys;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Contracts.Releases;
using LlmGateway.Errors;
using LlmGateway.EvalRuns;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Routing;
using LlmGateway.Sampling;
using LlmGateway.Usage;

namespace LlmGateway.Serialization;

/// <summary>Source-generated JSON for everything the gateway itself reads or writes.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(LlmGateway.Store.EmbeddedStoreLaunch))]
[JsonSerializable(typeof(BehaviourResponse))]
[JsonSerializable(typeof(RolloutView))]
[JsonSerializable(typeof(Dictionary<string, LlmGateway.Rollouts.RolloutStepEvidence>))]
[JsonSerializable(typeof(BehaviourChangesResponse))]
[JsonSerializable(typeof(BehaviourChange))]
[JsonSerializable(typeof(OpenAiErrorEnvelope))]
[JsonSerializable(typeof(GatewayKey))]
[JsonSerializable(typeof(GatewayKey[]))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(CreatedKeyResponse))]
[JsonSerializable(typeof(IssueAdminTokenRequest))]
[JsonSerializable(typeof(IssuedAdminTokenResponse))]
[JsonSerializable(typeof(AdminTokenRecord))]
[JsonSerializable(typeof(AdminTokenRecord[]))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(PromptBundle))]
[JsonSerializable(typeof(PromptBundleContent))]
[JsonSerializable(typeof(PromptBundleView))]
[JsonSerializable(typeof(PromptVersionStatus))]
[JsonSerializable(typeof(ReleaseRecord))]
[JsonSerializable(typeof(ReleaseView))]
[JsonSerializable(typeof(ActivationEvent))]
[JsonSerializable(typeof(ActivationEvent[]))]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(AuditEntry[]))]
[JsonSerializable(typeof(PushResponse))]
[JsonSerializable(typeof(PromptSummary[]))]
[JsonSerializable(typeof(PromptDetail))]
[JsonSerializable(typeof(ActiveAtResponse))]
[JsonSerializable(typeof(InstanceReleases))]
[JsonSerializable(typeof(ResolvedPrompt))]
[JsonSerializable(typeof(AccountingRecord))]
[JsonSerializable(typeof(UsageRow[]))]
[JsonSerializable(typeof(ModelPrice))]
[JsonSerializable(typeof(ModelPrice[]))]
[JsonSerializable(typeof(Dictionary<string, ModelPrice[]>))]
[JsonSerializable(typeof(ModelDescription))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(SampleRecord))]
[JsonSerializable(typeof(SampleSummary))]
[JsonSerializable(typeof(SamplePage))]
[JsonSerializable(typeof(GoldenExample))]
[JsonSerializable(typeof(SampleQueueStatus))]
[JsonSerializable(typeof(SampleClaimResponse))]
[JsonSerializable(typeof(SampleQueueReceipt))]
[JsonSerializable(typeof(SampleRequeueResponse))]
[JsonSerializable(typeof(EvalRun))]
[JsonSerializable(typeof(EvalRun[]))]
[JsonSerializable(typeof(EvalRunCalls))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
