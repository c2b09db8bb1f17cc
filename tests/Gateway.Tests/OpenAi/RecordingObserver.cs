using System.Text;
using LlmGateway.OpenAi;

namespace LlmGateway.Tests.OpenAi;

/// <summary>Writes down every observer call as a line, so tests can compare whole transcripts.</summary>
internal sealed class RecordingObserver : IOpenAiObserver
{
    private readonly StringBuilder _text = new();

    public List<string> Calls { get; } = [];

    public List<OpenAiEventInfo> Events { get; } = [];

    public string Text => _text.ToString();

    public OpenAiUsage? Usage { get; private set; }

    public string? Model { get; private set; }

    public string? FinishReason { get; private set; }

    public int Ends { get; private set; }

    public void OnModel(string model)
    {
        Model = model;
        Calls.Add("model " + model);
    }

    public void OnText(ReadOnlySpan<char> text)
    {
        _text.Append(text);
        Calls.Add("text " + text.ToString());
    }

    public void OnRefusal(ReadOnlySpan<char> text) => Calls.Add("refusal " + text.ToString());

    public void OnOutputStart() => Calls.Add("output");

    public void OnOutputText(ReadOnlySpan<char> text) => Calls.Add("output-text " + text.ToString());

    public void OnOutputRefusal(ReadOnlySpan<char> text) => Calls.Add("output-refusal " + text.ToString());

    public void OnToolCall(in ToolCallFragment fragment) => Calls.Add(
        $"tool {fragment.Index} id={fragment.Id} type={fragment.Type} name={fragment.Name} args={(fragment.HasArguments ? fragment.Arguments.ToString() : "-")}{(fragment.IsItem ? " item" : "")}{(fragment.IsLegacy ? " legacy" : "")}");

    public void OnFinishReason(string reason)
    {
        FinishReason = reason;
        Calls.Add("finish " + reason);
    }

    public void OnUsage(in OpenAiUsage usage)
    {
        Usage = usage;
        Calls.Add("usage " + usage);
    }

    public void OnError(string message) => Calls.Add("error " + message);

    public void OnEnd()
    {
        Ends++;
        Calls.Add("end");
    }

    public void OnEvent(in OpenAiEventInfo info) => Events.Add(info);
}
