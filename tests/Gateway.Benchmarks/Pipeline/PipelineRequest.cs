using System.Text;
using LlmGateway.Hosting;
using LlmGateway.Providers;
using LlmGateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>
/// One scenario's request, as the load tests send it (<c>loadtests/Gateway.LoadTests/Scenarios</c>): the same
/// bodies, the demo key, <c>application/json</c>, and for prompt-chat an <c>X-Session-Id</c>.
/// <see cref="Create"/> makes a fresh <see cref="DefaultHttpContext"/> per call, with its own request body stream,
/// as Kestrel and YARP hand it to the first stage.
/// </summary>
internal sealed class PipelineRequest
{
    public const string Model = "gpt-4o-mini";
    public const string Company = "Acme";

    private const string Question = "Reply with one short sentence about load testing.";
    private const string ContentType = "application/json";

    private static readonly PathString ChatCompletions = new("/v1/chat/completions");
    private static readonly string Authorization = "Bearer " + DemoMode.DemoKey;
    private static readonly string PromptModel = ModelCatalog.PromptPrefix + DemoPromptSeeder.PromptName;

    private readonly YarpStandIn _yarp;
    private readonly string? _session;

    private PipelineRequest(PipelineScenario scenario, byte[] body, string? session, YarpStandIn yarp)
    {
        Scenario = scenario;
        Body = body;
        _session = session;
        _yarp = yarp;
    }

    public PipelineScenario Scenario { get; }

    public byte[] Body { get; }

    /// <summary>The <c>model</c> the client names.</summary>
    public string RequestedModel => Scenario == PipelineScenario.PromptChat ? PromptModel : Model;

    /// <param name="session">The <c>X-Session-Id</c> of a prompt-chat request (it decides the arm).</param>
    public static PipelineRequest For(PipelineScenario scenario, YarpStandIn yarp, string? session) => scenario switch
    {
        PipelineScenario.PlainChat => new(scenario, Encoding.UTF8.GetBytes(
            $$"""{"model":"{{Model}}","messages":[{"role":"user","content":"{{Question}}"}],"max_tokens":64,"stream":false}"""), null, yarp),
        PipelineScenario.PromptChat => new(scenario, Encoding.UTF8.GetBytes(
            $$"""{"model":"{{PromptModel}}","prompt_variables":{"company":"{{Company}}"},"messages":[{"role":"user","content":"{{Question}}"}],"stream":false}"""),
            session ?? throw new ArgumentNullException(nameof(session)), yarp),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    public DefaultHttpContext Create()
    {
        var context = new DefaultHttpContext();

        // Kestrel's connection always provides it; DefaultHttpContext only makes one when first asked.
        context.Features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature());
        var request = context.Request;
        request.Method = HttpMethods.Post;
        request.Path = ChatCompletions;
        request.ContentType = ContentType;
        request.ContentLength = Body.Length;
        request.Headers[HeaderNames.Authorization] = Authorization;
        if (_session is not null)
        {
            request.Headers[PromptHeaders.SessionId] = _session;
        }

        request.Body = new MemoryStream(Body, writable: false);
        _yarp.Enter(context);
        return context;
    }
}
