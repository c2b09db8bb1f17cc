namespace LlmGateway.Cli.Prompts;

/// <summary>A prompt file ready to push: its path, its bundle as JSON text, and the bundle's name when it has one.</summary>
internal sealed record PromptFile(string Path, string Json, string? Name);
