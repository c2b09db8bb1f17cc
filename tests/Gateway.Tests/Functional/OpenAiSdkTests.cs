using System.Text.Json;
using LlmGateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace LlmGateway.Tests.Functional;

/// <summary>The official OpenAI .NET SDK against a real gateway and the mock provider.</summary>
public sealed class OpenAiSdkTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Chat_completion_round_trips_through_the_gateway()
    {
        var tag = OpenAiClients.NewTag();
        var chat = OpenAiClients.For(env.Gateway, env.ApiKey, ("x-mock-tag", tag)).GetChatClient("gpt-4o-mini");

        ChatCompletion completion = await chat.CompleteChatAsync(
            [new SystemChatMessage("You are terse."), new UserChatMessage("Hello there")], cancellationToken: Ct);

        Assert.Equal("mock reply to model=gpt-4o-mini system=You are terse. user=Hello there", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.True(completion.Usage.OutputTokenCount > 0);
        Assert.Single(env.Received.ForTag(tag));
    }

    [Fact]
    public async Task Streamed_chat_arrives_in_chunks_and_ends_with_usage()
    {
        var tag = OpenAiClients.NewTag();
        var chat = OpenAiClients.For(env.Gateway, env.ApiKey, ("x-mock-tag", tag), ("x-mock-chunks", "6")).GetChatClient("gpt-4o-mini");
        var options = new ChatCompletionOptions();

        var text = new System.Text.StringBuilder();
        var contentUpdates = 0;
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream please")], options, Ct))
        {
            // The role chunk carries "content":"" as OpenAI's does; the SDK surfaces it as an empty part.
            foreach (var part in update.ContentUpdate.Where(p => p.Text.Length > 0))
            {
                text.Append(part.Text);
                contentUpdates++;
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("mock reply to model=gpt-4o-mini system=- user=Stream please", text.ToString());
        Assert.Equal(6, contentUpdates);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.True(usage.OutputTokenCount > 0);

        using var forwarded = JsonDocument.Parse(env.Received.ForTag(tag).Single().Body);
        Assert.True(forwarded.RootElement.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task Embeddings_come_back_with_the_requested_dimensions()
    {
        var embeddings = OpenAiClients.For(env.Gateway, env.ApiKey).GetEmbeddingClient("text-embedding-3-small");

        var first = await embeddings.GenerateEmbeddingAsync("the same text", new OpenAI.Embeddings.EmbeddingGenerationOptions { Dimensions = 16 }, Ct);
        var second = await embeddings.GenerateEmbeddingAsync("the same text", new OpenAI.Embeddings.EmbeddingGenerationOptions { Dimensions = 16 }, Ct);

        var vector = first.Value.ToFloats().ToArray();
        Assert.Equal(16, vector.Length);
        Assert.Equal(vector, second.Value.ToFloats().ToArray());
        Assert.InRange(Math.Sqrt(vector.Sum(v => (double)v * v)), 0.999, 1.001);
    }

    [Fact]
    public async Task Models_lists_the_catalog()
    {
        var models = OpenAiClients.For(env.Gateway, env.ApiKey).GetOpenAIModelClient();

        var list = await models.GetModelsAsync(Ct);
        var one = await models.GetModelAsync("house-model", Ct);

        var ids = list.Value.Select(m => m.Id).ToList();
        Assert.Contains("gpt-4o-mini", ids);
        Assert.Contains("house-model", ids);
        Assert.Contains("azure-gpt", ids);
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal("house-model", one.Value.Id);
    }
}
