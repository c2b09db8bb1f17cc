using LlmGateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmGateway.Tests.Infrastructure;

/// <summary>A real gateway on a real Kestrel loopback port, built by the same code as Program.cs.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private GatewayHost(WebApplication app)
    {
        _app = app;
        BaseUrl = new Uri(app.Urls.First());
    }

    public Uri BaseUrl { get; }

    /// <summary>The base URL an OpenAI SDK takes: the gateway's <c>/v1</c>.</summary>
    public Uri OpenAiEndpoint => new(BaseUrl, "/v1");

    public IServiceProvider Services => _app.Services;

    public static Task<GatewayHost> StartAsync(IDictionary<string, string?> settings, params string[] extraArgs) =>
        StartAsync(settings, configure: null, extraArgs);

    /// <param name="configure">Extra host set-up after the gateway's own (e.g. an in-memory trace exporter).</param>
    public static async Task<GatewayHost> StartAsync(IDictionary<string, string?> settings, Action<WebApplicationBuilder>? configure, params string[] extraArgs)
    {
        // An empty config folder keeps the repo's config/ (real OpenAI) out of the tests.
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Gateway:ConfigDirectory={Path.Combine(AppContext.BaseDirectory, "no-config")}",
            "--Logging:LogLevel:Default=Warning",
            .. extraArgs,
        ];
        var app = await GatewayApp.BuildAsync(args, builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new GatewayHost(app);
    }

    public HttpClient CreateClient(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseUrl };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public T GetRequiredService<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>Stops and disposes the host; a test may stop it early (a shutdown under test), and a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
