namespace LlmGateway.MockProvider.Requests;

/// <summary>A message reduced to what the mock uses: its role and its plain text.</summary>
internal sealed record PromptMessage(string Role, string Text)
{
    public static string? FirstText(IEnumerable<PromptMessage> messages, string role) =>
        messages.FirstOrDefault(message => message.Role == role)?.Text;

    public static string? LastText(IEnumerable<PromptMessage> messages, string role) =>
        messages.LastOrDefault(message => message.Role == role)?.Text;
}
