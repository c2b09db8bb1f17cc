using LlmGateway.Providers;

namespace LlmGateway.Telemetry;

/// <summary>Attribute names: the GenAI semantic conventions, plus the gateway's own <c>gateway.*</c>.</summary>
internal static class GenAiAttributes
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string FinishReasons = "gen_ai.response.finish_reasons";
    public const string TokenType = "gen_ai.token.type";
    public const string ErrorType = "error.type";
    public const string HttpStatus = "http.response.status_code";

    public const string PromptName = "gateway.prompt.name";
    public const string PromptVersion = "gateway.prompt.version";
    public const string PromptVariant = "gateway.prompt.variant";
    public const string CostUsd = "gateway.cost.usd";
    public const string GatewayModel = "gateway.model";
    public const string RequestId = "gateway.request.id";
    public const string UsageSource = "gateway.usage.source";
    public const string Sampled = "gateway.sampled";
    public const string Attempts = "gateway.attempts";
    public const string ServedModel = "gateway.served_model";

    /// <summary>An HTTP status as an <c>error.type</c> value; the common ones without formatting per request.</summary>
    public static string StatusErrorType(int status) => status switch
    {
        400 => "400",
        401 => "401",
        403 => "403",
        404 => "404",
        429 => "429",
        500 => "500",
        502 => "502",
        503 => "503",
        504 => "504",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static string Operation(string path) => path switch
    {
        "/v1/chat/completions" or "/v1/responses" => "chat",
        "/v1/completions" => "text_completion",
        "/v1/embeddings" => "embeddings",
        _ => "chat",
    };

    /// <summary>The semantic conventions' well-known provider names; an OpenAI-compatible server goes by its configured name.</summary>
    public static string Provider(Provider provider) => provider.Kind switch
    {
        ProviderKind.OpenAI => "openai",
        ProviderKind.AzureOpenAI => "azure.ai.openai",
        _ => provider.Name,
    };
}
