using System.Diagnostics.Metrics;
using System.Threading.Channels;
using LlmGateway.Rollouts;
using LlmGateway.Rollouts.Notifications;
using LlmGateway.Store;
using LlmGateway.Telemetry;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Rollouts.Notifications;

/// <summary>
/// The notifications' services as the gateway registers them (options, notifier, outbox, sender, health check, metrics),
/// on a connection of their own to the test store (one instance of a fleet: harnesses given the same key prefix share
/// an outbox), started like a host starts them. Every <c>gateway.rollouts.notifications</c> measurement is both kept and signalled, so a test
/// awaits an outcome instead of sleeping.
/// </summary>
internal sealed class RolloutWebhookHarness : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly ServiceProvider _services;
    private readonly MeterListener _listener = new();
    private readonly ThreadSafeCollection<(string Environment, string Outcome)> _measurements = new();
    private readonly Channel<(string Environment, string Outcome)> _outcomes = Channel.CreateUnbounded<(string, string)>();
    private readonly List<IHostedService> _started = [];

    private RolloutWebhookHarness(IDictionary<string, string?> settings, GatewayStore store, TimeProvider time)
    {
        Store = store;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        _services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs))
            .AddMetrics()
            .AddSingleton(store)
            .AddSingleton(time)
            .AddRolloutNotifications(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var meters = _services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Meter.Name == GatewayTelemetry.Name && instrument.Name == RolloutWebhookMetrics.InstrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? environment = null, outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "environment")
                {
                    environment = tag.Value as string;
                }
                else if (tag.Key == "outcome")
                {
                    outcome = tag.Value as string;
                }
            }

            _measurements.Add((environment!, outcome!));
            _outcomes.Writer.TryWrite((environment!, outcome!));
        });
        _listener.Start();
    }

    public CapturingLoggerProvider Logs { get; } = new();

    public GatewayStore Store { get; }

    public IServiceProvider Services => _services;

    public IRolloutNotifier Notifier => _services.GetRequiredService<IRolloutNotifier>();

    public RolloutWebhookState State => _services.GetRequiredService<RolloutWebhookState>();

    public IReadOnlyList<(string Environment, string Outcome)> Measurements => _measurements.Snapshot();

    /// <param name="webhooks">Per environment, its <c>Gateway:Rollouts:Webhooks:&lt;environment&gt;</c> settings (Url, Secret, …).</param>
    /// <param name="keyPrefix">The store's key prefix; a new one (an outbox of its own) when null.</param>
    /// <param name="time">The senders' and retries' clock (the system's when null).</param>
    /// <param name="storeConfiguration">The store to use instead of the test environment's (e.g. one behind a relay).</param>
    public static async Task<RolloutWebhookHarness> StartAsync(
        TestEnvironment env, IDictionary<string, IDictionary<string, string?>> webhooks, string? keyPrefix = null, TimeProvider? time = null, string? storeConfiguration = null)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (environment, values) in webhooks)
        {
            foreach (var (key, value) in values)
            {
                settings[$"Gateway:Rollouts:Webhooks:{environment}:{key}"] = value;
            }
        }

        var store = new GatewayStore(
            Options.Create(new StoreOptions { Configuration = storeConfiguration ?? env.StoreConnection, KeyPrefix = keyPrefix ?? NewKeyPrefix(env), OperationTimeoutMs = 1000 }),
            NullLoggerFactory.Instance);
        await store.StartAsync(TestContext.Current.CancellationToken);
        var harness = new RolloutWebhookHarness(settings, store, time ?? TimeProvider.System);
        foreach (var service in harness._services.GetServices<IHostedService>())
        {
            await service.StartAsync(TestContext.Current.CancellationToken);
            harness._started.Add(service);
        }

        return harness;
    }

    /// <summary>A key prefix of its own under the test run's (so the run's clean-up removes it).</summary>
    public static string NewKeyPrefix(TestEnvironment env) => $"{env.KeyPrefix}:whk{Guid.NewGuid():n}";

    /// <summary>The next <c>gateway.rollouts.notifications</c> measurement (delivered, failed or dropped).</summary>
    public async Task<(string Environment, string Outcome)> NextOutcomeAsync() =>
        await _outcomes.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);

    public async Task<HealthReportEntry> ReadinessAsync()
    {
        var report = await _services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == RolloutWebhooksHealthCheck.Name, TestContext.Current.CancellationToken);
        return report.Entries[RolloutWebhooksHealthCheck.Name];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in Enumerable.Reverse(_started))
        {
            await service.StopAsync(CancellationToken.None);
        }

        _listener.Dispose();
        await _services.DisposeAsync();
        await Store.DisposeAsync();
    }
}
