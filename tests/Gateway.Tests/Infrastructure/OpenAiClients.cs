using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;

namespace LlmGateway.Tests.Infrastructure;

/// <summary>The official OpenAI SDK pointed at a gateway, as an app would configure it.</summary>
public static class OpenAiClients
{
    public static OpenAIClient For(GatewayHost gateway, string apiKey, params (string Name, string Value)[] headers)
    {
        var options = new OpenAIClientOptions { Endpoint = gateway.OpenAiEndpoint, RetryPolicy = new ClientRetryPolicy(0) };
        foreach (var (name, value) in headers)
        {
            options.AddPolicy(new HeaderPolicy(name, value), PipelinePosition.PerCall);
        }

        return new OpenAIClient(new ApiKeyCredential(apiKey), options);
    }

    public static string NewTag() => "t-" + Guid.NewGuid().ToString("N");
}
