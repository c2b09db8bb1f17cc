using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using LlmGateway.Cli.Keys;
using LlmGateway.Cli.Releases;
using LlmGateway.Cli.Samples;
using LlmGateway.Contracts.AdminTokens;
using LlmGateway.Contracts.Behaviour;
using LlmGateway.Contracts.Keys;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Contracts.Releases;
using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Cli.Http;

/// <summary>
/// Source-generated JSON for every body gatewayctl reads or writes: the admin API's shared contracts
/// (<c>LlmGateway.Contracts</c>, the server's own types) and gatewayctl's own request bodies and readings.
/// snake_case as the contract is; nulls are left out of requests so optional fields (reason, revision,
/// evidence) are simply absent, except where null means something (<see cref="SamplingRequest.Sampling"/>:
/// back to the defaults). Answers are read through <see cref="Lenient{T}"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ApiErrorEnvelope))]
[JsonSerializable(typeof(PushResponse))]
[JsonSerializable(typeof(PromptBundleView))]
[JsonSerializable(typeof(PromptSummary[]))]
[JsonSerializable(typeof(PromptDetail))]
[JsonSerializable(typeof(ApproveRequest))]
[JsonSerializable(typeof(ReleaseView))]
[JsonSerializable(typeof(SetReleaseRequest))]
[JsonSerializable(typeof(CanaryRequest))]
[JsonSerializable(typeof(ReleaseActionRequest))]
[JsonSerializable(typeof(AbortRequest))]
[JsonSerializable(typeof(SamplingRequest))]
[JsonSerializable(typeof(ActivationEvent))]
[JsonSerializable(typeof(ActiveAtResponse))]
[JsonSerializable(typeof(GatewayKeyRecord[]))]
[JsonSerializable(typeof(CreatedKey))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(IssueAdminTokenRequest))]
[JsonSerializable(typeof(IssuedAdminTokenResponse))]
[JsonSerializable(typeof(AdminTokenRecord[]))]
[JsonSerializable(typeof(SamplePage))]
[JsonSerializable(typeof(SampleRecord))]
[JsonSerializable(typeof(BehaviourResponse))]
[JsonSerializable(typeof(BehaviourChangesResponse))]
[JsonSerializable(typeof(RolloutStartRequest))]
[JsonSerializable(typeof(RolloutPlan))]
[JsonSerializable(typeof(RolloutControlRequest))]
[JsonSerializable(typeof(RolloutView))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    // The same metadata with every property optional. Made on first use: a static field initializer here could
    // run before the generated part's Default is set.
    private static JsonSerializerOptions? lenientOptions;

    private static JsonSerializerOptions LenientOptions => lenientOptions ??= new(Default.Options)
    {
        TypeInfoResolver = Default.WithAddedModifier(static type =>
        {
            foreach (var property in type.Properties)
            {
                property.IsRequired = false;
            }
        }),
    };

    /// <summary>
    /// <paramref name="typeInfo"/> for reading the gateway's answers as gatewayctl always has: a field the contract
    /// marks <c>required</c> (the server always writes it) but an answer leaves out, from an older gateway say,
    /// reads as absent instead of failing the command. Requests are written with <paramref name="typeInfo"/> itself.
    /// </summary>
    public static JsonTypeInfo<T> Lenient<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return (JsonTypeInfo<T>)LenientOptions.GetTypeInfo(typeof(T));
    }
}
