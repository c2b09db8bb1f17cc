using LlmGateway.Providers;
using LlmGateway.Proxy;

namespace LlmGateway.Budgets;

/// <summary>
/// The output cap a limited key's request is sent with when it sets none in the field its endpoint reads: what its
/// reservation counted per choice, written as <c>max_tokens</c> (chat and legacy completions) or
/// <c>max_output_tokens</c> (Responses API), in place of a null one. Only to a provider that would not stop the model
/// at the catalog's limit itself (<see cref="Provider.StopsAtModelLimit"/>), else the reservation is not a bound.
/// A cap in another spelling counts for the reservation but not here: Ollama's chat reads <c>max_tokens</c> only.
/// </summary>
internal readonly struct OutputCap
{
    /// <summary>
    /// What legacy completions generate without <c>max_tokens</c>, by OpenAI's API reference (and vLLM's): a cap of
    /// this much is what a client of that API already gets, so it is always safe to write.
    /// </summary>
    public const long CompletionsDefault = 16;

    private OutputCap(bool responses, long tokens, bool completions = false)
    {
        ResponsesField = responses;
        Tokens = tokens;
        Completions = completions;
    }

    /// <summary>The request is a legacy completion (<see cref="CompletionsDefault"/>).</summary>
    private bool Completions { get; }

    /// <summary>The field is <c>max_output_tokens</c> (else <c>max_tokens</c>).</summary>
    public bool ResponsesField { get; }

    /// <summary>The cap to write.</summary>
    public long Tokens { get; }

    /// <summary>
    /// For a request on <paramref name="endpoint"/> that reserved <paramref name="perChoice"/> output tokens a choice,
    /// when its body sets the endpoint's field to no number; null when it does, and on endpoints that generate nothing.
    /// Property names of the one scan only: no parse.
    /// </summary>
    public static OutputCap? Unset(PathString endpoint, ReadOnlySpan<byte> body, RequestScan scan, long perChoice)
    {
        bool responses;
        var completions = endpoint.Equals("/v1/completions", StringComparison.Ordinal);
        if (completions || endpoint.Equals("/v1/chat/completions", StringComparison.Ordinal))
        {
            responses = false;
        }
        else if (endpoint.Equals("/v1/responses", StringComparison.Ordinal))
        {
            responses = true;
        }
        else
        {
            return null;
        }

        var cap = new OutputCap(responses, perChoice, completions);
        foreach (var property in scan.Properties)
        {
            if (cap.Names(body, property) && !property.IsNull(body))
            {
                // Checked before (OutputRequest): an integer within the model's limit.
                return null;
            }
        }

        return cap;
    }

    /// <summary>
    /// What <paramref name="model"/> is sent: nothing when its provider stops it; on legacy completions this cap, at most
    /// the API's default of 16 (what the client gets without one anyway); elsewhere this cap or the model's own limit if
    /// lower, and only when that limit was configured for the model: a family's default (16,384 for an unknown model)
    /// may be more than the server accepts (vLLM refuses a prompt plus <c>max_tokens</c> past its context window), and
    /// writing it would turn a limited key's working requests into refusals.
    /// </summary>
    public OutputCap? For(CatalogModel model) =>
        model.Provider.StopsAtModelLimit ? null
        : Completions ? new OutputCap(ResponsesField, Math.Min(Math.Min(Tokens, model.MaxOutputTokens), CompletionsDefault), completions: true)
        : model.MaxOutputTokensConfigured ? new OutputCap(ResponsesField, Math.Min(Tokens, model.MaxOutputTokens))
        : null;

    /// <summary>Whether <paramref name="property"/> is the field this cap is written to.</summary>
    public bool Names(ReadOnlySpan<byte> body, ScannedProperty property) => ResponsesField
        ? property.Field == TopLevelField.Other && property.NameIs(body, "max_output_tokens"u8)
        : property.Field == TopLevelField.MaxTokens;

    /// <summary>Writes <c>"field":tokens</c>.</summary>
    public void Write(PooledBuffer destination)
    {
        destination.Write(ResponsesField ? "\"max_output_tokens\":"u8 : "\"max_tokens\":"u8);
        WriteValue(destination);
    }

    /// <summary>Writes the number alone (in place of a null value).</summary>
    public void WriteValue(PooledBuffer destination)
    {
        Span<byte> digits = stackalloc byte[20];
        Tokens.TryFormat(digits, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        destination.Write(digits[..written]);
    }
}
