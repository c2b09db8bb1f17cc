using System.Text.Json.Serialization;
using LlmGateway.Admin;
using LlmGateway.Auth;
using LlmGateway.Errors;
using LlmGateway.Providers;

namespace LlmGateway.Serialization;

/// <summary>Source-generated JSON for everything the gateway itself reads or writes.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(OpenAiErrorEnvelope))]
[JsonSerializable(typeof(GatewayKey))]
[JsonSerializable(typeof(GatewayKey[]))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(CreatedKeyResponse))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelDescription))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
