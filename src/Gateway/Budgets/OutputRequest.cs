using System.Text.Json;
using LlmGateway.Errors;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Rewriting;

namespace LlmGateway.Budgets;

/// <summary>
/// The output a request may generate, checked before anything is reserved: <c>max_tokens</c>,
/// <c>max_completion_tokens</c> and <c>max_output_tokens</c> must be integers from 1 to the
/// model's catalog limit; <c>n</c> and <c>best_of</c> from 1 to the configured cap. The result is
/// the worst case the budget reserves: the output cap in force (plus a prediction's bound), times the number of choices;
/// and that cap alone (what <see cref="OutputCap"/> sends a provider that would not stop the model at it).
/// </summary>
internal static class OutputRequest
{
    /// <summary>Reads only the values of the few top-level properties that bound the output (offsets from the one scan).</summary>
    public static (long ReservedOutputTokens, long PerChoice, GatewayError? Error) Check(ReadOnlySpan<byte> body, RequestScan scan, CatalogModel model, PreparedBundle? bundle, int maxChoices)
    {
        long? clientCap = null;
        long choices = 1;
        long prompts = 1;
        // A request with no cap (or a null one) may generate up to the limit of whichever model serves it.
        var uncapped = MostOutput(model);
        long predicted = 0;
        foreach (var property in scan.Properties)
        {
            var field = property.Field;
            if (field == TopLevelField.Other && property.NameIs(body, "prediction"u8))
            {
                // Predicted Outputs: the prediction's tokens the model does not use are billed as completion tokens (on
                // top of the output cap, which they do not count against). Its bytes bound its tokens (one byte at least
                // each), so the reservation stays an upper bound whatever the prediction holds.
                predicted = property.End - property.ValueStart;
                continue;
            }

            if (field == TopLevelField.Other && IsPromptArray(body, property, out var count))
            {
                // Legacy completions generate n choices for each prompt of an array.
                prompts = Math.Max(1, count);
                continue;
            }

            string? name = field switch
            {
                TopLevelField.MaxTokens => "max_tokens",
                TopLevelField.MaxCompletionTokens => "max_completion_tokens",
                TopLevelField.Other => OtherName(body, property),
                _ => null,
            };
            if (name is null)
            {
                continue;
            }

            var isCap = name is "max_tokens" or "max_completion_tokens" or "max_output_tokens";
            var limit = isCap ? model.MaxOutputTokens : maxChoices;
            var (value, error) = Integer(body[property.ValueStart..property.End], name, limit, isCap);
            if (error is not null)
            {
                return (0, 0, error);
            }

            if (value is not { } v)
            {
                if (isCap)
                {
                    // An explicit null reaches the provider as "no limit" (and may shadow an earlier value).
                    clientCap = Math.Max(clientCap ?? 0, uncapped);
                }

                continue;
            }

            if (isCap)
            {
                // Both spellings may be present; the provider honours one of them, so reserve for the larger.
                clientCap = Math.Max(clientCap ?? 0, v);
            }
            else
            {
                // n choices, or best_of candidates generated (and billed) server-side: the larger counts.
                choices = Math.Max(choices, v);
            }
        }

        var perChoice = BundleCap(bundle, clientCap) ?? clientCap ?? uncapped;
        return (checked((perChoice + predicted) * choices * prompts), perChoice, null);
    }

    /// <summary>
    /// The bundle's <c>max_tokens</c> when it sets one; when the client may override it and did,
    /// the larger of the two (the client's value reaches the provider, the bundle's may on a fallback).
    /// </summary>
    private static long? BundleCap(PreparedBundle? bundle, long? clientCap)
    {
        if (bundle?.Bundle.Params.MaxTokens is not { } bundleCap)
        {
            return null;
        }

        var overridable = Array.Exists(bundle.Parameters, p => p.Field == TopLevelField.MaxTokens && p.ClientOverridable);
        return overridable && clientCap is { } client ? Math.Max(bundleCap, client) : bundleCap;
    }

    private static long MostOutput(CatalogModel model)
    {
        long most = model.MaxOutputTokens;
        foreach (var candidate in model.Fallbacks)
        {
            most = Math.Max(most, candidate.MaxOutputTokens);
        }

        return most;
    }

    /// <summary>A top-level <c>prompt</c> array: how many prompts it holds (an array of token arrays counts each inner array).</summary>
    private static bool IsPromptArray(ReadOnlySpan<byte> body, ScannedProperty property, out int count)
    {
        count = 0;
        if (!property.NameIs(body, "prompt"u8))
        {
            return false;
        }

        var reader = new Utf8JsonReader(body[property.ValueStart..property.End], RequestBodyScanner.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var strings = 0;
        var arrays = 0;
        while (reader.Read() && reader.CurrentDepth >= 1)
        {
            if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.String)
            {
                strings++;
            }
            else if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.StartArray)
            {
                arrays++;
                reader.Skip();
            }
        }

        // A flat array of token ids is one prompt; strings or inner arrays are one prompt each.
        count = strings + arrays;
        return true;
    }

    /// <summary>The name of a property the scanner does not act on, when it bounds the output (escapes decoded).</summary>
    private static string? OtherName(ReadOnlySpan<byte> body, ScannedProperty property)
    {
        var reader = property.NameReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            return null;
        }

        return reader.ValueTextEquals("n"u8) ? "n"
            : reader.ValueTextEquals("best_of"u8) ? "best_of"
            : reader.ValueTextEquals("max_output_tokens"u8) ? "max_output_tokens"
            : null;
    }

    /// <param name="isCap">Whether <paramref name="max"/> is the model's output limit (else the gateway's limit on choices).</param>
    private static (long? Value, GatewayError? Error) Integer(ReadOnlySpan<byte> json, string name, long max, bool isCap)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return (null, null);
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value) || value < 1 || value > max)
        {
            // The message is made only here: a valid request formats nothing.
            var maxText = isCap ? $"the model's limit of {max} output tokens" : $"{max}, the gateway's limit";
            return (null, GatewayError.InvalidRequest($"'{name}' must be an integer from 1 to {maxText}.", name, "invalid_value"));
        }

        return (value, null);
    }
}
