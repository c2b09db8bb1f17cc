using System.Text;

namespace LlmGateway.Sampling.Capture;

/// <summary>The fragments of one tool call gathered so far, keyed by its index.</summary>
internal sealed class ToolCallAccumulator(int index)
{
    public int Index { get; } = index;

    public string? Id { get; set; }

    public string? Type { get; set; }

    public string? Name { get; set; }

    public StringBuilder Arguments { get; } = new();

    public ReassembledToolCall ToToolCall() => new(Index, Id, Type, Name, Arguments.ToString());
}
