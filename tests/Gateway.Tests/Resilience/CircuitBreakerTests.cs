using System.Net;
using System.Text;
using LlmGateway.Providers;
using LlmGateway.Resilience;
using LlmGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace LlmGateway.Tests.Resilience;

/// <summary>Passive health per destination: failing deployments leave the rotation, and with none left the answer is an immediate 503.</summary>
public sealed class CircuitBreakerTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_every_destination_unhealthy_the_gateway_answers_503_at_once_with_retry_after()
    {
        var settings = env.GatewaySettings();
        AddMockProvider(settings, "breaker");
        settings["Gateway:Providers:breaker:Resilience:FailureThreshold"] = "2";
        settings["Gateway:Providers:breaker:Resilience:MaxAttempts"] = "1";
        settings["Gateway:Providers:breaker:Resilience:BreakSeconds"] = "30";
        settings["Gateway:Models:breaker-model:Provider"] = "breaker";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient(env.ApiKey);

        for (var i = 0; i < 2; i++)
        {
            using var failing = await SendAsync(client, OpenAiClients.NewTag(), ("x-mock-status", "500"));
            Assert.Equal(HttpStatusCode.InternalServerError, failing.StatusCode);
        }

        var tag = OpenAiClients.NewTag();
        using var refused = await SendAsync(client, tag);

        await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "upstream_unhealthy");
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 30);
        Assert.Empty(env.Received.ForTag(tag));
    }

    [Fact]
    public async Task A_request_whose_own_failure_opens_the_circuit_gets_a_clean_503_instead_of_a_retry()
    {
        var settings = env.GatewaySettings();
        AddMockProvider(settings, "fragile");
        settings["Gateway:Providers:fragile:Resilience:FailureThreshold"] = "1";
        settings["Gateway:Providers:fragile:Resilience:BreakSeconds"] = "30";
        settings["Gateway:Models:fragile-model:Provider"] = "fragile";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient(env.ApiKey);
        var tag = OpenAiClients.NewTag();

        using var response = await SendAsync(client, tag, "fragile-model", ("x-mock-status", "500"), ("X-Request-Id", "req-fragile-1"));

        // The provider's 500 headers are gone; the gateway's own are back.
        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.ServiceUnavailable, "upstream_unhealthy");
        Assert.Equal("req-fragile-1", response.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("1", response.Headers.GetValues("X-Gateway-Attempts").Single());
        Assert.True(response.Headers.Contains("Retry-After"));
        Assert.Single(env.Received.ForTag(tag));
    }

    [Fact]
    public async Task A_429_burst_opens_the_circuit_for_the_providers_retry_after()
    {
        var settings = env.GatewaySettings();
        AddMockProvider(settings, "limited");
        settings["Gateway:Providers:limited:Resilience:FailureThreshold"] = "1";
        settings["Gateway:Providers:limited:Resilience:MaxAttempts"] = "1";
        settings["Gateway:Providers:limited:Resilience:BreakSeconds"] = "600";
        settings["Gateway:Models:limited-model:Provider"] = "limited";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient(env.ApiKey);

        using (var limited = await SendAsync(client, OpenAiClients.NewTag(), "limited-model", ("x-mock-status", "429"), ("x-mock-retry-after", "5")))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        }

        using var refused = await SendAsync(client, OpenAiClients.NewTag(), "limited-model");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        // The provider's 5 s, not the configured 600 s break.
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 5);
    }

    [Fact]
    public async Task A_429_for_one_model_leaves_the_providers_other_models_in_rotation()
    {
        // OpenAI's rate limits are per model, Azure's quotas per deployment: one model's 429 says nothing of the others.
        var settings = env.GatewaySettings();
        AddMockProvider(settings, "shared");
        settings["Gateway:Providers:shared:Resilience:FailureThreshold"] = "1";
        settings["Gateway:Providers:shared:Resilience:MaxAttempts"] = "1";
        settings["Gateway:Providers:shared:Resilience:BreakSeconds"] = "600";
        settings["Gateway:Models:shared-small:Provider"] = "shared";
        settings["Gateway:Models:shared-large:Provider"] = "shared";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient(env.ApiKey);

        using (var limited = await SendAsync(client, OpenAiClients.NewTag(), "shared-small", ("x-mock-status", "429"), ("x-mock-retry-after", "5")))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        }

        using (var other = await SendAsync(client, OpenAiClients.NewTag(), "shared-large"))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        var tag = OpenAiClients.NewTag();
        using var refused = await SendAsync(client, tag, "shared-small");

        await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "upstream_unhealthy");
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 5);
        Assert.Empty(env.Received.ForTag(tag));
    }

    [Fact]
    public async Task A_models_own_failure_threshold_opens_its_circuit()
    {
        var settings = env.GatewaySettings();
        AddMockProvider(settings, "strict");
        settings["Gateway:Providers:strict:Resilience:FailureThreshold"] = "5";
        settings["Gateway:Providers:strict:Resilience:MaxAttempts"] = "1";
        settings["Gateway:Models:strict-model:Provider"] = "strict";
        settings["Gateway:Models:strict-model:Resilience:FailureThreshold"] = "1";
        settings["Gateway:Models:strict-model:Resilience:BreakSeconds"] = "600";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient(env.ApiKey);

        using (var failing = await SendAsync(client, OpenAiClients.NewTag(), "strict-model", ("x-mock-status", "500")))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failing.StatusCode);
        }

        using var refused = await SendAsync(client, OpenAiClients.NewTag(), "strict-model");

        await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "upstream_unhealthy");
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 500, 600);
    }

    [Fact]
    public async Task A_failure_while_sending_the_body_counts_against_the_circuit()
    {
        var settings = env.GatewaySettings();
        AddMockProvider(settings, "upload");
        settings["Gateway:Providers:upload:Resilience:FailureThreshold"] = "1";
        settings["Gateway:Providers:upload:Resilience:BreakSeconds"] = "600";
        settings["Gateway:Models:upload-model:Provider"] = "upload";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient(env.ApiKey);

        Proxied(gateway, "upload-model", StatusCodes.Status502BadGateway, ForwarderError.RequestBodyDestination);

        using var refused = await SendAsync(client, OpenAiClients.NewTag(), "upload-model");
        await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "upstream_unhealthy");
    }

    [Fact]
    public async Task An_attempt_that_got_no_answer_does_not_reset_the_failure_count()
    {
        var settings = env.GatewaySettings();
        AddMockProvider(settings, "unanswered");
        settings["Gateway:Providers:unanswered:Resilience:FailureThreshold"] = "2";
        settings["Gateway:Providers:unanswered:Resilience:BreakSeconds"] = "600";
        settings["Gateway:Models:unanswered-model:Provider"] = "unanswered";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient(env.ApiKey);

        // Cancelled while its body was sent, with no timer of the gateway's fired: neither a failure of the provider nor
        // an answer from it.
        Proxied(gateway, "unanswered-model", StatusCodes.Status500InternalServerError);
        Proxied(gateway, "unanswered-model", StatusCodes.Status502BadGateway, ForwarderError.RequestBodyCanceled);
        Proxied(gateway, "unanswered-model", StatusCodes.Status500InternalServerError);

        using var refused = await SendAsync(client, OpenAiClients.NewTag(), "unanswered-model");
        await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "upstream_unhealthy");
    }

    [Fact]
    public async Task The_breaker_counts_only_the_statuses_the_model_retries()
    {
        var settings = env.GatewaySettings();
        AddMockProvider(settings, "own-statuses");
        settings["Gateway:Providers:own-statuses:Resilience:FailureThreshold"] = "1";
        settings["Gateway:Providers:own-statuses:Resilience:BreakSeconds"] = "600";
        settings["Gateway:Models:own-statuses-model:Provider"] = "own-statuses";
        settings["Gateway:Models:own-statuses-model:Resilience:RetryStatuses:0"] = "500";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient(env.ApiKey);

        Proxied(gateway, "own-statuses-model", StatusCodes.Status429TooManyRequests);

        using var served = await SendAsync(client, OpenAiClients.NewTag(), "own-statuses-model");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Theory]
    [InlineData("99999999")]                       // about three years
    [InlineData("Fri, 31 Dec 9999 23:59:59 GMT")]  // the HTTP-date form
    public async Task A_providers_absurd_retry_after_breaks_the_destination_for_at_most_an_hour(string retryAfter)
    {
        var settings = env.GatewaySettings();
        AddMockProvider(settings, "absurd");
        settings["Gateway:Providers:absurd:Resilience:FailureThreshold"] = "1";
        settings["Gateway:Providers:absurd:Resilience:MaxAttempts"] = "1";
        settings["Gateway:Providers:absurd:Resilience:BreakSeconds"] = "30";
        settings["Gateway:Models:absurd-model:Provider"] = "absurd";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient(env.ApiKey);

        using (var limited = await SendAsync(client, OpenAiClients.NewTag(), "absurd-model", ("x-mock-status", "429"), ("x-mock-retry-after", retryAfter)))
        {
            // The provider's own answer, not a 500 from a break that could not be scheduled.
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        }

        using var refused = await SendAsync(client, OpenAiClients.NewTag(), "absurd-model");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 3000, 3600);
    }

    [Fact]
    public async Task The_failure_that_opens_the_circuit_takes_the_destination_out_before_the_request_ends()
    {
        var settings = env.GatewaySettings();
        AddMockProvider(settings, "tripped");
        settings["Gateway:Providers:tripped:Resilience:FailureThreshold"] = "1";
        settings["Gateway:Providers:tripped:Resilience:BreakSeconds"] = "600";
        // YARP's own updater would also rebuild the set, later, on the thread pool: the fake only marks
        // the destination, so the set is empty at once only if the policy rebuilds it itself.
        await using var gateway = await GatewayHost.StartAsync(
            settings, builder => builder.Services.Replace(ServiceDescriptor.Singleton<IDestinationHealthUpdater, MarkOnlyHealthUpdater>()));
        var lookup = gateway.Services.GetRequiredService<IProxyStateLookup>();
        Assert.True(lookup.TryGetCluster("provider:tripped", out var cluster));
        var destination = Assert.Single(cluster.DestinationsState.AvailableDestinations);
        var policy = gateway.Services.GetServices<IPassiveHealthCheckPolicy>().Single(p => p.Name == LlmGateway.Resilience.UpstreamHealthPolicy.PolicyName);

        var context = new DefaultHttpContext();
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Features.Set<IReverseProxyFeature>(new ReverseProxyFeature
        {
            Route = new RouteModel(new RouteConfig { RouteId = "openai-v1-chat-completions" }, null, HttpTransformer.Empty),
            Cluster = cluster.Model,
            AllDestinations = cluster.DestinationsState.AllDestinations,
            AvailableDestinations = cluster.DestinationsState.AvailableDestinations,
        });
        policy.RequestProxied(context, cluster, destination);

        // The client's next request, which Kestrel reads only after this one's pipeline ends, must
        // already find no destination.
        Assert.Empty(cluster.DestinationsState.AvailableDestinations);
    }

    [Fact]
    public async Task Traffic_moves_to_the_healthy_deployment_of_a_load_balanced_provider()
    {
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var deadPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var settings = env.GatewaySettings();
        AddMockProvider(settings, "regions");
        settings["Gateway:Providers:regions:Endpoints:0:BaseUrl"] = $"http://127.0.0.1:{deadPort}/v1";
        settings["Gateway:Providers:regions:LoadBalancing"] = "RoundRobin";
        settings["Gateway:Providers:regions:Resilience:FailureThreshold"] = "1";
        settings["Gateway:Providers:regions:Resilience:BaseDelayMs"] = "10";
        settings["Gateway:Models:regional-model:Provider"] = "regions";
        settings["Gateway:Models:regional-model:UpstreamModel"] = "gpt-4o-mini";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient(env.ApiKey);

        var attempts = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await SendAsync(client, OpenAiClients.NewTag(), "regional-model");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            attempts.Add(int.Parse(response.Headers.GetValues("X-Gateway-Attempts").Single(), System.Globalization.CultureInfo.InvariantCulture));
        }

        // Round robin reaches the dead region within two requests; it costs one failed attempt,
        // once: then it is out of rotation and every request is served on the first try.
        Assert.Equal(1, attempts.Sum() - attempts.Count);
        Assert.Contains(2, attempts.Take(2));
    }

    /// <summary>
    /// What YARP's passive health middleware does after an attempt of <paramref name="modelName"/> on its provider's only
    /// destination: the policy judges the response's status, or the forwarder's error.
    /// </summary>
    private static void Proxied(GatewayHost gateway, string modelName, int status, ForwarderError? error = null)
    {
        Assert.True(gateway.Services.GetRequiredService<ModelCatalog>().TryGetModel(modelName, out var model));
        Assert.True(gateway.Services.GetRequiredService<IProxyStateLookup>().TryGetCluster(model.Provider.ClusterId, out var cluster));
        var destination = Assert.Single(cluster.DestinationsState.AllDestinations);
        var policy = gateway.Services.GetServices<IPassiveHealthCheckPolicy>().Single(p => p.Name == LlmGateway.Resilience.UpstreamHealthPolicy.PolicyName);

        var context = new DefaultHttpContext();
        context.Response.StatusCode = status;
        context.Features.Set<IReverseProxyFeature>(new ReverseProxyFeature
        {
            Route = new RouteModel(new RouteConfig { RouteId = "openai-v1-chat-completions" }, null, HttpTransformer.Empty),
            Cluster = cluster.Model,
            AllDestinations = cluster.DestinationsState.AllDestinations,
            AvailableDestinations = cluster.DestinationsState.AvailableDestinations,
        });
        context.Features.Set<IUpstreamAttemptFeature>(new Attempt(model));
        if (error is { } failed)
        {
            context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(failed));
        }

        policy.RequestProxied(context, cluster, destination);
    }

    private sealed class Attempt(CatalogModel model) : IUpstreamAttemptFeature
    {
        public CatalogModel Model => model;

        public int Number => 1;
    }

    private sealed class ErrorFeature(ForwarderError error) : IForwarderErrorFeature
    {
        public ForwarderError Error => error;

        public Exception? Exception => null;
    }

    /// <summary>Marks a destination's passive health and nothing more: no rebuild of the available set, no reactivation.</summary>
    private sealed class MarkOnlyHealthUpdater : IDestinationHealthUpdater
    {
        public void SetActive(ClusterState cluster, IEnumerable<NewActiveDestinationHealth> newHealthPairs)
        {
            foreach (var pair in newHealthPairs)
            {
                pair.Destination.Health.Active = pair.NewActiveHealth;
            }
        }

        public void SetPassive(ClusterState cluster, DestinationState destination, DestinationHealth newHealth, TimeSpan reactivationPeriod) =>
            destination.Health.Passive = newHealth;
    }

    /// <summary>A provider of the test's own on the shared mock, so its circuit is nobody else's.</summary>
    private void AddMockProvider(Dictionary<string, string?> settings, string name)
    {
        settings[$"Gateway:Providers:{name}:Kind"] = "openai-compatible";
        settings[$"Gateway:Providers:{name}:BaseUrl"] = new Uri(env.MockUrl, "/v1").ToString();
        settings[$"Gateway:Providers:{name}:ApiKey"] = TestEnvironment.ProviderKey;
        settings[$"Gateway:Providers:{name}:ForwardRequestHeaders:0"] = "x-mock-*";
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string tag, params (string Name, string Value)[] headers) =>
        SendAsync(client, tag, "breaker-model", headers);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string tag, string model, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return await client.SendAsync(request, Ct);
    }
}
