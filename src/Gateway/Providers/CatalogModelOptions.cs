using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Providers;

/// <summary>A public model name, from <c>Gateway:Models:{name}</c>.</summary>
internal sealed class CatalogModelOptions
{
    /// <summary>Name of the provider in <c>Gateway:Providers</c> that serves this model.</summary>
    [Required]
    public string Provider { get; set; } = "";

    /// <summary>The model name the provider knows (the deployment name for Azure). Defaults to the public name.</summary>
    public string? UpstreamModel { get; set; }

    /// <summary>Tokenizer for estimates (<c>o200k_base</c> or <c>cl100k_base</c>); by default chosen from the model family.</summary>
    public string? Encoding { get; set; }

    /// <summary>Overrides of the provider's timeouts and retries for this model.</summary>
    public Resilience.ResilienceSettings? Resilience { get; set; }

    /// <summary>
    /// Catalog models to try, in order, when this one cannot serve (its retries exhausted, or its
    /// circuit open): other deployments of the same model, or other models.
    /// </summary>
    public List<string> Fallbacks { get; set; } = [];

    /// <summary>
    /// The most output tokens one choice may ask for (<c>max_tokens</c>); larger requests are refused,
    /// and a request without <c>max_tokens</c> reserves this much against its key's budget (and, from a key with limits to
    /// an OpenAI-compatible provider, is sent it as its cap: <c>Budgets.OutputCap</c>). Defaults
    /// to the provider's published limit for known model families, else <see cref="OutputLimits.UnknownModelDefault"/>.
    /// </summary>
    [Range(1, 10_000_000)]
    public int? MaxOutputTokens { get; set; }

    /// <summary>
    /// The model's context window in tokens. A request whose input the provider reads beyond the body (a stored
    /// conversation or prompt, files and items named by id, built-in tools' results: <c>Budgets.UnseenInput</c>) makes it
    /// read up to this: a spend limit reserves it (at most <c>Gateway:Budgets:UnseenInputTokens</c>). Defaults to the published window of known model families, else <see cref="InputLimits.UnknownModelDefault"/>.
    /// </summary>
    [Range(1, 100_000_000)]
    public int? MaxInputTokens { get; set; }

    /// <summary>
    /// The most tokens the model counts for one input image: what a spend limit reserves per image (an image's bytes
    /// are no bound). Defaults to 48,169 for gpt-4o-mini (which counts images at about 33 times gpt-4o's tokens) and
    /// 3,779 for any other model (the largest of OpenAI's other counts); set it for a model that counts images otherwise.
    /// </summary>
    [Range(1, 10_000_000)]
    public int? ImageInputTokens { get; set; }

    /// <summary>Who owns the model, as reported by <c>GET /v1/models</c>.</summary>
    public string? OwnedBy { get; set; }
}
