using System.Text.Json.Serialization;

namespace LlmGateway.MockProvider.Contracts;

/// <summary>Usage block of chat and legacy completions.</summary>
internal sealed record TokenUsage(int PromptTokens, int CompletionTokens, int TotalTokens)
{
    /// <summary>Only with the <c>audio-tokens</c> knob: the audio part of the prompt.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AudioTokensDetails? PromptTokensDetails { get; init; }

    /// <summary>Only with the <c>audio-tokens</c> knob: the audio part of the completion.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AudioTokensDetails? CompletionTokensDetails { get; init; }

    public static TokenUsage Of(int promptTokens, int completionTokens) =>
        new(promptTokens, completionTokens, promptTokens + completionTokens);

    /// <summary>
    /// The <c>audio-tokens</c> knob (<c>IN,OUT</c>): that many audio tokens added to the prompt and completion counts, and
    /// reported in their details' <c>audio_tokens</c>, as OpenAI reports an audio model's. Unchanged without it.
    /// </summary>
    public TokenUsage WithAudio(string? knob) =>
        knob is not null && Pipeline.MockKnobs.ParseAudioTokens(knob) is { } audio
            ? new TokenUsage(PromptTokens + audio.Input, CompletionTokens + audio.Output, TotalTokens + audio.Input + audio.Output)
            {
                PromptTokensDetails = new AudioTokensDetails(audio.Input),
                CompletionTokensDetails = new AudioTokensDetails(audio.Output),
            }
            : this;
}
