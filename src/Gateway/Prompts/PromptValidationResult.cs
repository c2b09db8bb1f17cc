using LlmGateway.Errors;

namespace LlmGateway.Prompts;

internal sealed record PromptValidationResult(PromptBundleContent? Content, string? Id, IReadOnlyList<FieldError> Errors)
{
    public bool IsValid => Errors.Count == 0;

    public static PromptValidationResult Failed(IReadOnlyList<FieldError> errors) => new(null, null, errors);

    public static PromptValidationResult Succeeded(PromptBundleContent content, string id) => new(content, id, []);
}
