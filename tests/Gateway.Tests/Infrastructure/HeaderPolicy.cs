using System.ClientModel.Primitives;

namespace LlmGateway.Tests.Infrastructure;

/// <summary>Adds a fixed header to every request an OpenAI SDK client sends (tags, mock knobs).</summary>
public sealed class HeaderPolicy(string name, string value) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        message.Request.Headers.Set(name, value);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        message.Request.Headers.Set(name, value);
        return ProcessNextAsync(message, pipeline, currentIndex);
    }
}
