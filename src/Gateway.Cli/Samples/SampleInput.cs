using System.Text.Json;

namespace LlmGateway.Cli.Samples;

/// <summary>
/// What the application sent: its messages (OpenAI shape) and prompt variables. Kept as JSON: message
/// content may be a string or a list of parts, and variables may hold any value.
/// </summary>
internal sealed record SampleInput(JsonElement? Messages, JsonElement? Variables);
