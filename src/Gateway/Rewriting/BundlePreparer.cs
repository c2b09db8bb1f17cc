using System.Text.Encodings.Web;
using System.Text.Json;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Proxy;

namespace LlmGateway.Rewriting;

/// <summary>Turns a stored bundle into a <see cref="PreparedBundle"/>, or says why it cannot serve.</summary>
internal sealed class BundlePreparer(PromptTemplateAnalyzer templates, ModelCatalog catalog, TemplateLimits? limits = null)
{
    private readonly TemplateLimits _limits = limits ?? TemplateLimits.Default;

    /// <summary>Model text is not HTML: keep quotes and non-ASCII as they are (still valid JSON).</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public (PreparedBundle? Bundle, string? Problem) Prepare(PromptBundle bundle)
    {
        if (!catalog.TryGetModel(bundle.Model, out var model))
        {
            return (null, $"its model '{bundle.Model}' is no longer in the catalog");
        }

        var messages = new List<PreparedMessage>(bundle.Messages.Length);
        foreach (var message in bundle.Messages)
        {
            if (!templates.TryParse(message.Content ?? "", out var template, out _))
            {
                return (null, "a template does not parse");
            }

            messages.Add(new PreparedMessage(
                message.Role ?? "system", _limits.Harden(template!), PromptTemplateAnalyzer.ReadVariables(template!), PromptTemplateAnalyzer.ReadsTheClock(template!)));
        }

        return (new PreparedBundle(bundle, model, messages, [.. PrepareParameters(bundle.Params)]), null);
    }

    private static List<PreparedParameter> PrepareParameters(PromptParams parameters)
    {
        var overridable = new HashSet<string>(parameters.ClientOverridable ?? [], StringComparer.Ordinal);
        var prepared = new List<PreparedParameter>();
        Add(prepared, overridable, TopLevelField.Temperature, "temperature", parameters.Temperature, (w, v) => w.WriteNumberValue(v));
        Add(prepared, overridable, TopLevelField.TopP, "top_p", parameters.TopP, (w, v) => w.WriteNumberValue(v));
        Add(prepared, overridable, TopLevelField.MaxTokens, "max_tokens", parameters.MaxTokens, (w, v) => w.WriteNumberValue(v));
        Add(prepared, overridable, TopLevelField.PresencePenalty, "presence_penalty", parameters.PresencePenalty, (w, v) => w.WriteNumberValue(v));
        Add(prepared, overridable, TopLevelField.FrequencyPenalty, "frequency_penalty", parameters.FrequencyPenalty, (w, v) => w.WriteNumberValue(v));
        Add(prepared, overridable, TopLevelField.Seed, "seed", parameters.Seed, (w, v) => w.WriteNumberValue(v));
        Add(prepared, overridable, TopLevelField.Stop, "stop", parameters.Stop, (w, v) => v.WriteTo(w));
        Add(prepared, overridable, TopLevelField.ResponseFormat, "response_format", parameters.ResponseFormat, (w, v) => v.WriteTo(w));
        Add(prepared, overridable, TopLevelField.Tools, "tools", parameters.Tools, (w, v) => v.WriteTo(w));
        Add(prepared, overridable, TopLevelField.ToolChoice, "tool_choice", parameters.ToolChoice, (w, v) => v.WriteTo(w));
        return prepared;
    }

    private static void Add<T>(List<PreparedParameter> prepared, HashSet<string> overridable, TopLevelField field, string name, T? value, Action<Utf8JsonWriter, T> write)
        where T : struct
    {
        if (value is not { } v)
        {
            return;
        }

        using var buffer = new PooledBuffer(64);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(name);
            write(writer, v);
            writer.WriteEndObject();
        }

        // Strip the braces: what is kept is exactly `"name":value`.
        prepared.Add(new PreparedParameter(field, buffer.WrittenSpan[1..^1].ToArray(), overridable.Contains(name)));
    }
}
