using LlmGateway.Auth;
using LlmGateway.MockProvider;
using LlmGateway.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

[assembly: AssemblyFixture(typeof(LlmGateway.Tests.Infrastructure.TestEnvironment))]

namespace LlmGateway.Tests.Infrastructure;

/// <summary>
/// One store, one mock provider and one gateway for the whole test assembly. The store is a
/// real redis-server when <c>REDIS_URL</c> is set (CI runs both), else embedded Garnet.
/// </summary>
public sealed class TestEnvironment : IAsyncLifetime
{
    public const string ProviderKey = "sk-provider-secret-for-tests";
    public const string AzureApiVersion = "2024-10-21";
    /// <summary>Actor "admin": every role.</summary>
    public const string AdminToken = "admin-token-for-tests";

    /// <summary>Actor "ada": author only.</summary>
    public const string AuthorToken = "author-token-for-tests";

    /// <summary>Actor "alan": approver and viewer.</summary>
    public const string ApproverToken = "approver-token-for-tests";

    /// <summary>Actor "olga": operator and viewer.</summary>
    public const string OperatorToken = "operator-token-for-tests";

    /// <summary>Actor "vera": viewer only.</summary>
    public const string ViewerToken = "viewer-token-for-tests";

    /// <summary>Actor "sam": viewer and sample-reader (reads sampled conversations).</summary>
    public const string SampleReaderToken = "sample-reader-token-for-tests";

    private EmbeddedGarnetServer? _garnet;
    private WebApplication? _mock;

    public string StoreConnection { get; private set; } = "";

    /// <summary>"redis" or "garnet", for test output.</summary>
    public string StoreKind { get; private set; } = "";

    /// <summary>Unique per run, so runs against a long-lived Redis never see each other's keys.</summary>
    /// <summary>The store is a Redis Cluster (CI runs the suite once against a one-node cluster).</summary>
    public bool IsCluster => Gateway.GetRequiredService<GatewayStore>().IsCluster;

    public string KeyPrefix { get; } = "gwtest-" + Guid.NewGuid().ToString("N")[..8];

    public Uri MockUrl { get; private set; } = null!;

    public ReceivedRequestLog Received { get; private set; } = null!;

    public GatewayHost Gateway { get; private set; } = null!;

    /// <summary>A gateway key without extra permissions.</summary>
    public string ApiKey { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var redisUrl = Environment.GetEnvironmentVariable("REDIS_URL");
        if (string.IsNullOrWhiteSpace(redisUrl))
        {
            _garnet = EmbeddedGarnetServer.Start(memory: "64m", index: "8m");
            StoreConnection = _garnet.ConnectionString;
            StoreKind = "garnet";
        }
        else
        {
            StoreConnection = redisUrl;
            StoreKind = "redis";
        }

        await WarmStoreAsync(StoreConnection, KeyPrefix);
        _mock = MockProviderApp.Build(["--urls", "http://127.0.0.1:0"], options => options.ApiKey = ProviderKey);
        await _mock.StartAsync();
        MockUrl = new Uri(_mock.Urls.First());
        Received = _mock.Services.GetRequiredService<ReceivedRequestLog>();

        Gateway = await GatewayHost.StartAsync(GatewaySettings());
        var (_, secret) = await Gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("tests", "test", []);
        ApiKey = secret;
    }

    /// <summary>
    /// Waits until the store answers a transaction and a script, with a generous timeout: a fresh
    /// Garnet compiles its transaction and Lua paths on first use, which on a loaded 2-core CI box has
    /// taken longer than the gateway's 1 s operation timeout and failed the whole assembly's fixture.
    /// </summary>
    private static async Task WarmStoreAsync(string connection, string keyPrefix)
    {
        // The gateway's own parser: CI gives a redis:// URL, which ConfigurationOptions.Parse does not read.
        var options = RedisUrl.Parse(connection);
        options.AsyncTimeout = 30_000;
        options.SyncTimeout = 30_000;
        options.ConnectTimeout = 30_000;
        options.AbortOnConnectFail = false;
        await using var store = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(options);
        var db = store.GetDatabase();
        var transaction = db.CreateTransaction();
        _ = transaction.StringSetAsync(keyPrefix + ":warm", "1", TimeSpan.FromMinutes(1));
        await transaction.ExecuteAsync();
        await db.ScriptEvaluateAsync("return redis.call('GET', KEYS[1])", [keyPrefix + ":warm"]);
    }

    /// <summary>
    /// The catalog every test gateway uses: models on the mock (OpenAI and Azure style), a
    /// renamed model, a provider that times out fast, and one whose port is closed.
    /// </summary>
    public Dictionary<string, string?> GatewaySettings(bool useSharedStore = true)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Redis:KeyPrefix"] = KeyPrefix,
            // 5 s, not the production 1 s: the test box runs three test assemblies, Garnet and dozens of
            // gateways on 2 cores, and a store call stalled by that is not what these tests are about.
            // Outage tests set their own short timeouts.
            ["Redis:OperationTimeoutMs"] = "5000",
            ["Gateway:Admin:Tokens:admin:Token"] = AdminToken,
            ["Gateway:Admin:Tokens:admin:Roles:0"] = "viewer",
            ["Gateway:Admin:Tokens:admin:Roles:1"] = "author",
            ["Gateway:Admin:Tokens:admin:Roles:2"] = "approver",
            ["Gateway:Admin:Tokens:admin:Roles:3"] = "operator",
            ["Gateway:Admin:Tokens:admin:Roles:4"] = "sample-reader",
            ["Gateway:Admin:Tokens:ada:Token"] = AuthorToken,
            ["Gateway:Admin:Tokens:ada:Roles:0"] = "author",
            ["Gateway:Admin:Tokens:alan:TokenSha256"] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ApproverToken))),
            ["Gateway:Admin:Tokens:alan:Roles:0"] = "approver",
            ["Gateway:Admin:Tokens:alan:Roles:1"] = "viewer",
            ["Gateway:Admin:Tokens:olga:Token"] = OperatorToken,
            ["Gateway:Admin:Tokens:olga:Roles:0"] = "operator",
            ["Gateway:Admin:Tokens:olga:Roles:1"] = "viewer",
            ["Gateway:Admin:Tokens:vera:Token"] = ViewerToken,
            ["Gateway:Admin:Tokens:vera:Roles:0"] = "viewer",
            ["Gateway:Admin:Tokens:sam:Token"] = SampleReaderToken,
            ["Gateway:Admin:Tokens:sam:Roles:0"] = "viewer",
            ["Gateway:Admin:Tokens:sam:Roles:1"] = "sample-reader",
            ["Gateway:Releases:RevalidationIntervalMs"] = "200",
            // Tests read and settle the shared sample queue themselves: no evaluator may take from it.
            // Online evaluation is tested on gateways of its own (tests/Gateway.Tests/Behaviour).
            ["Gateway:OnlineEval:Enabled"] = "false",
            ["Gateway:OnlineEval:DetectChanges"] = "false",
            // Rollout tests drive the controller themselves (or start instances that run it).
            ["Gateway:Rollouts:Enabled"] = "false",
            // The tests share one sample queue: another test's sample waiting to be scored would hold back this one's
            // readings. Tests of the watermark turn it on, on a store of their own.
            ["Gateway:OnlineEval:WaitForEvaluator"] = "false",
            // The shared gateway serves every test class from one address and a few tokens: the per-address
            // and per-token admin limits (issue #15) would make tests interfere. Their own tests restore them.
            ["Gateway:Admin:FailedAuthenticationsPerMinute"] = "100000",
            ["Gateway:Auth:FailedLookupsPerAddressPerMinute"] = "1000000",
            ["Gateway:Admin:Audit:RefusalsPerActorPerMinute"] = "100000",
            // Every test class pushes prompts of its own names into the shared registry.
            ["Gateway:Prompts:MaxPrompts"] = "1000000",
            // Tests poll the samples API (an audited read) every 20 ms.
            ["Gateway:Admin:Audit:AuditedActionsPerActorPerMinute"] = "100000",
            ["Gateway:Pricing:Models:gpt-4o-mini:0:EffectiveFrom"] = "2024-07-18T00:00:00Z",
            ["Gateway:Pricing:Models:gpt-4o-mini:0:InputPerMillion"] = "0.15",
            ["Gateway:Pricing:Models:gpt-4o-mini:0:OutputPerMillion"] = "0.60",
            // As config/pricing.json prices it; the other provider-run tools are left unpriced here (ProviderToolFeeTests).
            ["Gateway:Pricing:ToolCalls:web_search"] = "0.025",
            ["Gateway:Proxy:MaxRequestBodyBytes"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:Providers:mock:Kind"] = "openai",
            ["Gateway:Providers:mock:BaseUrl"] = new Uri(MockUrl, "/v1").ToString(),
            ["Gateway:Providers:mock:ApiKey"] = ProviderKey,
            ["Gateway:Providers:azure:Kind"] = "azure-openai",
            ["Gateway:Providers:azure:BaseUrl"] = MockUrl.ToString(),
            ["Gateway:Providers:azure:ApiKey"] = ProviderKey,
            ["Gateway:Providers:azure:ApiVersion"] = AzureApiVersion,
            ["Gateway:Providers:slow:Kind"] = "openai-compatible",
            ["Gateway:Providers:slow:BaseUrl"] = new Uri(MockUrl, "/v1").ToString(),
            ["Gateway:Providers:slow:ApiKey"] = ProviderKey,
            ["Gateway:Providers:slow:TimeoutSeconds"] = "1",
            ["Gateway:Providers:dead:Kind"] = "openai-compatible",
            ["Gateway:Providers:dead:BaseUrl"] = $"http://127.0.0.1:{ClosedPort.Value}/v1",
            // Tests inject provider failures concurrently: the shared providers' circuits must not
            // open on each other's faults (breaking is tested on providers of its own).
            ["Gateway:Providers:mock:Resilience:FailureThreshold"] = "1000",
            ["Gateway:Providers:mock:Resilience:BaseDelayMs"] = "50",
            ["Gateway:Providers:azure:Resilience:FailureThreshold"] = "1000",
            ["Gateway:Providers:slow:Resilience:FailureThreshold"] = "1000",
            ["Gateway:Providers:slow:Resilience:MaxAttempts"] = "1",
            ["Gateway:Providers:dead:Resilience:FailureThreshold"] = "1000",
            ["Gateway:Models:gpt-4o-mini:Provider"] = "mock",
            ["Gateway:Models:gpt-4o:Provider"] = "mock",
            ["Gateway:Models:text-embedding-3-small:Provider"] = "mock",
            ["Gateway:Models:house-model:Provider"] = "mock",
            ["Gateway:Models:house-model:UpstreamModel"] = "gpt-4o-mini",
            ["Gateway:Models:azure-gpt:Provider"] = "azure",
            ["Gateway:Models:azure-gpt:UpstreamModel"] = "my-deployment",
            ["Gateway:Models:slow-model:Provider"] = "slow",
            // Resilience: a primary that refuses connections and falls back to gpt-4o-mini; a
            // provider whose streams stall past a short idle timeout.
            ["Gateway:Models:fallback-model:Provider"] = "dead",
            ["Gateway:Models:fallback-model:UpstreamModel"] = "gpt-4o",
            ["Gateway:Models:fallback-model:Fallbacks:0"] = "gpt-4o-mini",
            ["Gateway:Providers:stall:Kind"] = "openai-compatible",
            ["Gateway:Providers:stall:BaseUrl"] = new Uri(MockUrl, "/v1").ToString(),
            ["Gateway:Providers:stall:ApiKey"] = ProviderKey,
            ["Gateway:Providers:stall:Resilience:IdleTimeoutMs"] = "300",
            ["Gateway:Providers:stall:Resilience:FailureThreshold"] = "1000",
            ["Gateway:Models:stall-model:Provider"] = "stall",
            ["Gateway:Models:stall-model:UpstreamModel"] = "gpt-4o-mini",
            ["Gateway:Models:dead-model:Provider"] = "dead",
        };
        foreach (var provider in (string[])["mock", "azure", "slow", "dead", "stall"])
        {
            // The mock's fault knobs travel as headers, which providers receive only when allowed.
            settings[$"Gateway:Providers:{provider}:ForwardRequestHeaders:0"] = "x-mock-*";
        }

        if (useSharedStore)
        {
            settings["Redis:Configuration"] = StoreConnection;
        }
        else
        {
            // Hide a REDIS_URL from the environment so the gateway starts its own Garnet.
            settings["REDIS_URL"] = "";
        }

        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        if (Gateway is not null)
        {
            await DeleteOwnKeysAsync();
            await Gateway.DisposeAsync();
        }

        if (_mock is not null)
        {
            await _mock.StopAsync();
            await _mock.DisposeAsync();
        }

        _garnet?.Dispose();
    }

    /// <summary>A shared Redis outlives the run: leave nothing behind.</summary>
    private async Task DeleteOwnKeysAsync()
    {
        var store = Gateway.GetRequiredService<GatewayStore>();
        foreach (var server in store.Connection.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: KeyPrefix + ":*"))
            {
                await store.Database.KeyDeleteAsync(key);
            }
        }
    }

    private static readonly Lazy<int> ClosedPort = new(() =>
    {
        // Bound then released: nothing listens there for the rest of the run (in practice).
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    });
}
