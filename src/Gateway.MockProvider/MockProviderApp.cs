using LlmGateway.MockProvider.Endpoints;
using LlmGateway.MockProvider.Generation;
using LlmGateway.MockProvider.Pipeline;
using LlmGateway.MockProvider.Streaming;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace LlmGateway.MockProvider;

/// <summary>Builds the mock provider; used by Program.cs and by tests hosting it in-process.</summary>
public static class MockProviderApp
{
    private const string DefaultUrl = "http://127.0.0.1:5199";

    /// <param name="args">Command-line args; <c>--urls</c> overrides the default http://127.0.0.1:5199.</param>
    /// <param name="configure">Applied after the <c>MockProvider</c> configuration section is bound.</param>
    public static WebApplication Build(string[] args, Action<MockProviderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = WebApplication.CreateSlimBuilder(args);

        // Code default instead of appsettings.json: a referenced web project's appsettings.json would be
        // copied into (and clash in) the output folder of every test project that references this one.
        if (!HasConfiguredEndpoints(builder.Configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Providers take bodies past Kestrel's 30,000,000-byte default (inline images, files): so does the mock, up to the
        // gateway's own largest Gateway:Proxy:MaxRequestBodyBytes.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 512L * 1024 * 1024);

        // Per-request hosting logs would drown load tests.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        var section = builder.Configuration.GetSection(MockProviderOptions.SectionName);
        var options = builder.Services.AddOptions<MockProviderOptions>()
            .Bind(section)
            .Configure(o => ReplaceDefaultModels(o, section))
            .Validate(
                o => o.Models is not null && o.DefaultChunks > 0 && o.EmbeddingDimensions > 0 && o.ReceivedRequestCapacity > 0,
                "MockProvider: Models is required; DefaultChunks, EmbeddingDimensions and ReceivedRequestCapacity must be positive.")
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddSingleton<TokenCounter>();
        builder.Services.AddSingleton(services =>
            new ReceivedRequestLog(services.GetRequiredService<IOptions<MockProviderOptions>>().Value.ReceivedRequestCapacity));
        builder.Services.AddSingleton<HoldRegistry>();
        builder.Services.AddSingleton<FailureCounter>();
        builder.Services.AddSingleton<StreamedReplyWriter>();

        var app = builder.Build();

        // Load the o200k vocabulary now rather than inside the first request's latency.
        app.Services.GetRequiredService<TokenCounter>();

        app.UseWhen(
            context => IsProviderRequest(context.Request.Path),
            provider => provider
                .UseMiddleware<RequestRecordingMiddleware>()
                .UseMiddleware<InvalidRequestMiddleware>()
                .UseMiddleware<ApiKeyMiddleware>()
                .UseMiddleware<FaultInjectionMiddleware>());

        ChatCompletionsEndpoint.Map(app);
        CompletionsEndpoint.Map(app);
        EmbeddingsEndpoint.Map(app);
        ResponsesEndpoint.Map(app);
        ModelsEndpoint.Map(app);
        MockControlEndpoints.Map(app);
        UnknownRouteEndpoint.Map(app);
        return app;
    }

    /// <summary>The binder appends configured array items to the default list; configured models should replace it.</summary>
    private static void ReplaceDefaultModels(MockProviderOptions options, IConfigurationSection section)
    {
        if (section.GetSection(nameof(MockProviderOptions.Models)).Get<string[]>() is { Length: > 0 } models)
        {
            options.Models = models;
        }
    }

    private static bool IsProviderRequest(PathString path) =>
        path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/openai", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when --urls, ASPNETCORE_URLS or ASPNETCORE_HTTP(S)_PORTS already chose where to listen.</summary>
    private static bool HasConfiguredEndpoints(ConfigurationManager configuration) =>
        !string.IsNullOrEmpty(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrEmpty(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrEmpty(configuration[WebHostDefaults.HttpsPortsKey]);
}
