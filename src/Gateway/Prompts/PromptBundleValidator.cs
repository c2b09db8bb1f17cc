using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fluid;
using LlmGateway.Behaviour;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Errors;
using LlmGateway.Providers;
using LlmGateway.Rewriting;
using LlmGateway.Serialization;

namespace LlmGateway.Prompts;

/// <summary>
/// Reads a pushed bundle strictly (unknown fields refused) and checks everything that would
/// otherwise fail at request time: names, roles, templates, variables, model, parameter ranges.
/// Reports every problem at once, each with its field path.
/// </summary>
internal sealed partial class PromptBundleValidator(PromptTemplateAnalyzer templates, ModelCatalog catalog, TemplateLimits? limits = null)
{
    private readonly int _maxLoopIterations = (limits ?? TemplateLimits.Default).MaxLoopIterations;

    private static readonly HashSet<string> Roles = new(StringComparer.Ordinal) { "system", "developer", "user", "assistant" };

    public PromptValidationResult Validate(ReadOnlySpan<byte> json)
    {
        PromptBundleContent? content;
        try
        {
            content = JsonSerializer.Deserialize(json, GatewayJsonContext.Default.PromptBundleContent);
        }
        catch (JsonException ex)
        {
            return PromptValidationResult.Failed([FromJsonException(ex)]);
        }

        if (content is null)
        {
            return PromptValidationResult.Failed([new FieldError("$", "The body must be a JSON object.")]);
        }

        var errors = new List<FieldError>();

        // A second, strict read finds an unknown field (a typo such as "temprature" would
        // otherwise be dropped silently); the lenient read above lets every other check run too.
        try
        {
            JsonSerializer.Deserialize(json, AdminInputJsonContext.Default.PromptBundleContent);
        }
        catch (JsonException ex)
        {
            errors.Add(FromJsonException(ex));
        }

        if (string.IsNullOrWhiteSpace(content.Name) || !PromptNames.IsValid(content.Name))
        {
            errors.Add(new FieldError("name", $"Required; must match {PromptNames.Pattern}."));
        }

        if (content.Label is { Length: > 32 })
        {
            errors.Add(new FieldError("label", "At most 32 characters."));
        }

        // Kept with the version and in its history for good, and shown to every viewer: a commit message, not a document.
        if (content.Message is { Length: > Admin.OperatorReason.MaxLength })
        {
            errors.Add(new FieldError("message", $"At most {Admin.OperatorReason.MaxLength} characters."));
        }

        if (string.IsNullOrWhiteSpace(content.Model))
        {
            errors.Add(new FieldError("model", "Required: a model from the catalog (GET /v1/models)."));
        }
        else if (!catalog.TryGetModel(content.Model, out _))
        {
            errors.Add(new FieldError("model", $"'{content.Model}' is not in the model catalog."));
        }

        var declared = ValidateVariables(content.Variables ?? [], errors);
        ValidateMessages(content.Messages, declared, errors);
        ValidateParams(content.Params, errors);

        if (content.SystemMessagePolicy is not null && !SystemMessagePolicies.All.Contains(content.SystemMessagePolicy))
        {
            errors.Add(new FieldError("system_message_policy", "One of keep, replace, reject."));
        }

        if (content.Retrieval?.TopK is < 1 or > 1000)
        {
            errors.Add(new FieldError("retrieval.top_k", "Between 1 and 1000."));
        }

        if (content.Eval is { } eval && !eval.TryReadThresholds(out _))
        {
            errors.Add(new FieldError("eval.thresholds", "An object of metric name to a non-negative number, e.g. {\"accuracy\": 0.9, \"format\": 0.95}."));
        }

        if (content.Eval?.DatasetSha256 is { } datasetSha256)
        {
            if (content.Eval.Dataset is not { Length: > 0 })
            {
                errors.Add(new FieldError("eval.dataset_sha256", "Pins eval.dataset's content: name the dataset too."));
            }
            else if (!Sha256Hex().IsMatch(datasetSha256))
            {
                errors.Add(new FieldError("eval.dataset_sha256", "The dataset file's SHA-256: 64 hex digits (as `sha256sum` or `Get-FileHash` prints it)."));
            }
        }

        var onlineEval = OnlineEvalPlan.Read(content.OnlineEval, catalog, errors);
        if (content.Rollout is { } rollout && onlineEval is not null)
        {
            Rollouts.RolloutPlanReader.Read(rollout, onlineEval, errors, "rollout");
        }

        if (errors.Count > 0)
        {
            return PromptValidationResult.Failed(errors);
        }

        var normalized = content with
        {
            Variables = content.Variables ?? [],
            Params = content.Params ?? new PromptParams(),
            SystemMessagePolicy = content.SystemMessagePolicy ?? SystemMessagePolicies.Keep,
        };

        // The changelog line is not content: it is left out of the id.
        var id = CanonicalJson.Sha256(JsonSerializer.SerializeToElement(normalized with { Message = null }, GatewayJsonContext.Default.PromptBundleContent));
        return PromptValidationResult.Succeeded(normalized, id);
    }

    /// <returns>Every declared variable, with its maximum if it has one.</returns>
    private Dictionary<string, int?> ValidateVariables(PromptVariable[] variables, List<FieldError> errors)
    {
        var declared = new Dictionary<string, int?>(StringComparer.Ordinal);
        for (var i = 0; i < variables.Length; i++)
        {
            var variable = variables[i];
            if (string.IsNullOrWhiteSpace(variable.Name) || !VariableName().IsMatch(variable.Name))
            {
                errors.Add(new FieldError($"variables[{i}].name", "Required; letters, digits and '_', not starting with a digit."));
                continue;
            }

            if (!declared.TryAdd(variable.Name, variable.Maximum))
            {
                errors.Add(new FieldError($"variables[{i}].name", $"'{variable.Name}' is declared twice."));
            }

            if (variable.Maximum is < 0 || variable.Maximum > _maxLoopIterations)
            {
                errors.Add(new FieldError($"variables[{i}].maximum", string.Create(CultureInfo.InvariantCulture,
                    $"From 0 to {_maxLoopIterations} (Gateway:Templates:MaxLoopIterations).")));
            }
            else if (variable.Maximum is { } maximum && variable.Default is { } fallback
                && (!long.TryParse(fallback, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > maximum))
            {
                errors.Add(new FieldError($"variables[{i}].default", string.Create(CultureInfo.InvariantCulture,
                    $"A variable with a maximum takes a whole number from 0 to {maximum}.")));
            }

            if (variable.Required && variable.Default is not null)
            {
                errors.Add(new FieldError($"variables[{i}].default", "A required variable cannot have a default."));
            }
        }

        return declared;
    }

    private void ValidateMessages(PromptMessageTemplate[]? messages, Dictionary<string, int?> declared, List<FieldError> errors)
    {
        if (messages is null || messages.Length == 0)
        {
            errors.Add(new FieldError("messages", "At least one message is required."));
            return;
        }

        var parsed = new IFluidTemplate?[messages.Length];
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            if (message.Role is null || !Roles.Contains(message.Role))
            {
                errors.Add(new FieldError($"messages[{i}].role", "One of system, developer, user, assistant."));
            }

            if (message.Content is null)
            {
                errors.Add(new FieldError($"messages[{i}].content", "Required: a Liquid template."));
                continue;
            }

            if (!templates.TryParse(message.Content, out parsed[i], out var parseError))
            {
                errors.Add(new FieldError($"messages[{i}].content", $"The template does not parse: {parseError?.Split('\n')[0]}"));
            }
        }

        // The messages render in one context: a name one of them assigns is assigned for all that follow.
        var assigned = new HashSet<string>(parsed.OfType<IFluidTemplate>().SelectMany(PromptTemplateAnalyzer.AssignedVariables), StringComparer.Ordinal);
        for (var i = 0; i < messages.Length; i++)
        {
            if (parsed[i] is not { } template)
            {
                continue;
            }

            foreach (var undeclared in PromptTemplateAnalyzer.FreeVariables(template).Where(v => !declared.ContainsKey(v)).Order(StringComparer.Ordinal))
            {
                errors.Add(new FieldError($"messages[{i}].content", $"Uses the undeclared variable '{undeclared}'. Declare it in 'variables'."));
            }

            foreach (var problem in TemplateLoopBounds.Problems(template, declared, assigned, _maxLoopIterations))
            {
                errors.Add(new FieldError($"messages[{i}].content", problem));
            }
        }
    }

    private static void ValidateParams(PromptParams? parameters, List<FieldError> errors)
    {
        if (parameters is null)
        {
            return;
        }

        Range(parameters.Temperature, 0, 2, "params.temperature", errors);
        Range(parameters.TopP, 0, 1, "params.top_p", errors);
        Range(parameters.PresencePenalty, -2, 2, "params.presence_penalty", errors);
        Range(parameters.FrequencyPenalty, -2, 2, "params.frequency_penalty", errors);
        if (parameters.MaxTokens is < 1)
        {
            errors.Add(new FieldError("params.max_tokens", "At least 1."));
        }

        if (parameters.Stop is { } stop && !IsValidStop(stop))
        {
            errors.Add(new FieldError("params.stop", "A string or an array of at most 4 strings."));
        }

        if (parameters.ResponseFormat is { ValueKind: not JsonValueKind.Object })
        {
            errors.Add(new FieldError("params.response_format", "An object, e.g. {\"type\":\"json_object\"}."));
        }

        if (parameters.Tools is { ValueKind: not JsonValueKind.Array })
        {
            errors.Add(new FieldError("params.tools", "An array of tool definitions."));
        }

        if (parameters.ToolChoice is { ValueKind: not (JsonValueKind.String or JsonValueKind.Object) })
        {
            errors.Add(new FieldError("params.tool_choice", "A string (none, auto, required) or an object."));
        }

        foreach (var name in parameters.ClientOverridable ?? [])
        {
            if (!PromptParamNames.All.Contains(name))
            {
                errors.Add(new FieldError("params.client_overridable", $"'{name}' is not a parameter. Known: {string.Join(", ", PromptParamNames.All)}."));
            }
        }
    }

    private static void Range(double? value, double min, double max, string field, List<FieldError> errors)
    {
        if (value is { } v && (v < min || v > max || double.IsNaN(v)))
        {
            errors.Add(new FieldError(field, string.Create(CultureInfo.InvariantCulture, $"Between {min} and {max}.")));
        }
    }

    private static bool IsValidStop(JsonElement stop) => stop.ValueKind switch
    {
        JsonValueKind.String => true,
        JsonValueKind.Array => stop.GetArrayLength() <= 4 && stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String),
        _ => false,
    };

    private static FieldError FromJsonException(JsonException ex)
    {
        if (DuplicateFields.Of(ex) is { } twice)
        {
            return new FieldError(twice, "Given twice; give it once.");
        }

        var path = ex.Path is null or "$" ? "" : ex.Path.TrimStart('$').TrimStart('.');
        var unmapped = UnmappedProperty().Match(ex.Message);
        if (unmapped.Success)
        {
            // The reader's path already ends at the unknown property.
            var property = unmapped.Groups[1].Value;
            var field = path.EndsWith(property, StringComparison.Ordinal) ? path : string.IsNullOrEmpty(path) ? property : $"{path}.{property}";
            return new FieldError(field, "Unknown field.");
        }

        return new FieldError(string.IsNullOrEmpty(path) ? "$" : path, ex.Message.Contains("could not be converted", StringComparison.Ordinal)
            ? "Wrong type."
            : "Invalid JSON here.");
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,63}\z")]
    private static partial Regex VariableName();

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex(@"^[0-9a-fA-F]{64}\z")]
    private static partial Regex Sha256Hex();
}
