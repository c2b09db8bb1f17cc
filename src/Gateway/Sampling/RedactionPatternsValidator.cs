using LlmGateway.Sampling.Redaction;
using Microsoft.Extensions.Options;

namespace LlmGateway.Sampling;

/// <summary>Compiles every configured redaction pattern at start-up, so a typo fails the deploy, not a sample.</summary>
internal sealed class RedactionPatternsValidator : IValidateOptions<SamplingOptions>
{
    public ValidateOptionsResult Validate(string? name, SamplingOptions options)
    {
        try
        {
            var global = new TextRedactor(new MarkerRedactorProvider(), options.RedactionPatterns);
            foreach (var (prompt, patterns) in options.PromptRedactionPatterns)
            {
                try
                {
                    global.WithPatterns(patterns);
                }
                catch (ArgumentException ex)
                {
                    return ValidateOptionsResult.Fail($"Gateway:Sampling:PromptRedactionPatterns:{prompt}: {ex.Message}");
                }
            }

            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"Gateway:Sampling:RedactionPatterns: {ex.Message}");
        }
    }
}
