using System.Collections.Concurrent;
using LlmGateway.Sampling.Redaction;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.Options;

namespace LlmGateway.Sampling;

/// <summary>
/// The redactor for each prompt: the built-in detectors, the configured global patterns, and the
/// prompt's own patterns. Built once per prompt (regexes compile once), validated at start-up.
/// </summary>
internal sealed class SampleRedactors
{
    private readonly TextRedactor _global;
    private readonly SamplingOptions _options;
    private readonly ConcurrentDictionary<string, TextRedactor> _byPrompt = new(StringComparer.Ordinal);

    public SampleRedactors(IRedactorProvider redactors, IOptions<SamplingOptions> options)
    {
        _options = options.Value;
        _global = new TextRedactor(redactors, _options.RedactionPatterns);
    }

    public TextRedactor For(string? prompt) =>
        prompt is not null && _options.PromptRedactionPatterns.TryGetValue(prompt, out var patterns) && patterns.Count > 0
            ? _byPrompt.GetOrAdd(prompt, static (_, state) => state.Global.WithPatterns(state.Patterns), (Global: _global, Patterns: patterns))
            : _global;
}
