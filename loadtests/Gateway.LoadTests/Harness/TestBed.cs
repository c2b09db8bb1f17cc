using System.Net;
using LlmGateway.LoadTests.Hosting;

namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// Everything a harness command runs against, each in its own child process on loopback ports: the store (Garnet),
/// the mock provider, optionally a bare YARP proxy, and the gateway with every feature on (accounting with prices,
/// usage counters, sampling, releases, metrics). The store is either a child of its own, which the gateway reaches
/// directly or through a <see cref="StoreRelay"/> when the command needs to cut it, or the gateway's own embedded
/// Garnet (<see cref="StoreMode.Embedded"/>, the production default), on a port the harness picks so it can still
/// ask Garnet about its memory. <see cref="Children"/> watches every one of those processes while the bed is up.
/// </summary>
internal sealed class TestBed : IAsyncDisposable
{
    private static readonly string[] CatalogModels = ["gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "text-embedding-3-small"];

    private readonly List<IAsyncDisposable> _owned = [];

    private TestBed(string logDirectory) => LogDirectory = logDirectory;

    public string LogDirectory { get; }

    /// <summary>Watches every process of the bed; a command's runs stop on, and report, one that ends unasked.</summary>
    public ChildSupervisor Children { get; } = new();

    public ChildProcess Mock { get; private set; } = null!;

    public Uri MockUrl { get; private set; } = null!;

    public ChildProcess? Yarp { get; private set; }

    public Uri? YarpUrl { get; private set; }

    public ChildProcess? Gateway { get; private set; }

    public Uri? GatewayUrl { get; private set; }

    /// <summary>The online evaluator's own process (<c>Gateway.Evaluator</c>); null when the gateway scores its samples itself.</summary>
    public ChildProcess? Evaluator { get; private set; }

    /// <summary>
    /// The store's own process: the harness's (<see cref="StoreMode.Process"/>), or the gateway's embedded store's child
    /// process (its default); null when the gateway hosts the store in its own process.
    /// </summary>
    public IWatchedProcess? Store { get; private set; }

    /// <summary>Where the store listens: its own process, or the gateway's embedded Garnet.</summary>
    public IPEndPoint? StoreEndpoint { get; private set; }

    public StoreMode StoreMode { get; private set; } = StoreMode.Process;

    public StoreRelay? Relay { get; private set; }

    /// <summary>A gateway key of environment production, created through the admin API once the gateway is up.</summary>
    public string ApiKey { get; private set; } = "sk-loadtest";

    /// <param name="gatewaySettings">
    /// Extra configuration flags for the gateway (e.g. <c>--Gateway:Rollouts:Enabled=false</c>), after the harness's own,
    /// so they win over them.
    /// </param>
    /// <param name="evaluatorApart">
    /// Run the online evaluator in a process of its own against the gateway's store (the gateway must then be given
    /// <c>--Gateway:OnlineEval:Enabled=false</c> among <paramref name="gatewaySettings"/>).
    /// </param>
    /// <param name="logDirectory">Where the children's logs go; by default <c>$TMPDIR/gateway-loadtests/&lt;time&gt;</c>.</param>
    public static async Task<TestBed> StartAsync(
        bool yarp,
        bool gateway,
        bool relayStore = false,
        StoreMode storeMode = StoreMode.Process,
        IReadOnlyList<string>? gatewaySettings = null,
        bool evaluatorApart = false,
        string? logDirectory = null)
    {
        if (relayStore && storeMode == StoreMode.Embedded)
        {
            throw new ArgumentException("An embedded store cannot be relayed: it lives inside the gateway.", nameof(relayStore));
        }

        logDirectory ??= Path.Combine(Path.GetTempPath(), "gateway-loadtests", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
        var bed = new TestBed(logDirectory) { StoreMode = storeMode };
        try
        {
            await bed.StartChildrenAsync(yarp, gateway, relayStore, gatewaySettings ?? []);
            if (evaluatorApart)
            {
                await bed.StartEvaluatorAsync();
            }

            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // From here on the processes end because they are asked to.
        Children.StopWatching();
        var lost = Children.Lost.IsCancellationRequested;

        // Proxies first, then what they depend on, so nothing logs a storm of connection errors on the way out.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        await Children.DisposeAsync();
        if (lost)
        {
            // A store that was killed (its own process, or the gateway's) never deleted its temporary log folder; the
            // kernel has released its lock, which is how these are told from a running store's (any other run's).
            LlmGateway.Store.EmbeddedGarnetServer.DeleteOrphans(Path.GetTempPath());
        }
    }

    /// <summary>
    /// The runtime variables the Dockerfile sets for the gateway, so the harness measures what ships: a 16 MB floor
    /// under gen0's budget (DATAS alone gave the gateway ~2 gen0 collections a second at 1,000 req/s, each stopping every
    /// request in flight; RESULTS.md, "goals on the fourteenth session"). Bare YARP runs with the runtime's defaults.
    /// </summary>
    private static readonly Dictionary<string, string> ShippedGatewayEnvironment = new(StringComparer.Ordinal)
    {
        ["DOTNET_GCgen0size"] = "0x1000000",
    };

    private async Task StartChildrenAsync(bool yarp, bool gateway, bool relayStore, IReadOnlyList<string> gatewaySettings)
    {
        var mockPort = FreePort.Pick();
        MockUrl = new Uri($"http://127.0.0.1:{mockPort}");
        Mock = Own(await ChildProcess.StartAsync(ChildHost.Mock, ["--urls", MockUrl.AbsoluteUri], LogDirectory));
        Children.Watch(Mock);

        if (yarp)
        {
            var port = FreePort.Pick();
            YarpUrl = new Uri($"http://127.0.0.1:{port}");
            Yarp = Own(await ChildProcess.StartAsync(ChildHost.YarpBare, ["--urls", YarpUrl.AbsoluteUri, "--upstream", MockUrl.AbsoluteUri], LogDirectory));
            Children.Watch(Yarp);
        }

        if (!gateway)
        {
            return;
        }

        var storePort = FreePort.Pick();
        StoreEndpoint = new IPEndPoint(IPAddress.Loopback, storePort);
        var storeArgs = new List<string>();
        if (StoreMode == StoreMode.Embedded)
        {
            storeArgs.Add($"--Redis:Embedded:Port={storePort}");
            storeArgs.Add($"--Redis:Embedded:Password={HarnessStore.Password}");
        }
        else
        {
            var store = Own(await ChildProcess.StartAsync(ChildHost.Store, [storePort.ToString(System.Globalization.CultureInfo.InvariantCulture)], LogDirectory));
            Store = Children.Watch(store);
            var gatewayStorePort = storePort;
            if (relayStore)
            {
                Relay = Own(new StoreRelay(StoreEndpoint));
                gatewayStorePort = Relay.Port;
            }

            storeArgs.Add($"--Redis:Configuration=127.0.0.1:{gatewayStorePort},password={HarnessStore.Password}");
        }

        var gatewayPort = FreePort.Pick();
        GatewayUrl = new Uri($"http://127.0.0.1:{gatewayPort}");
        Gateway = Own(await ChildProcess.StartAsync(ChildHost.Gateway, [.. GatewayArgs(gatewayPort), .. storeArgs, .. gatewaySettings], LogDirectory, ShippedGatewayEnvironment));
        Children.Watch(Gateway);

        using var probe = new GatewayProbe(GatewayUrl);
        await probe.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        if (StoreMode == StoreMode.Embedded)
        {
            // Started by the gateway before it was ready; its CPU and memory are counted with the gateway's.
            var store = DescendantProcess.FindChild(Gateway.Pid, LlmGateway.Store.EmbeddedStoreChild.Switch);
            if (store is not null)
            {
                Children.WatchDescendant(store, Gateway);
            }

            Store = store;
        }

        using var controlPlane = new ControlPlane(GatewayUrl);
        ApiKey = await controlPlane.CreateKeyAsync();
    }

    private async Task StartEvaluatorAsync()
    {
        var store = StoreEndpoint ?? throw new InvalidOperationException("An evaluator apart needs the gateway's store.");
        var port = FreePort.Pick();
        Evaluator = Own(await ChildProcess.StartAsync(
            ChildHost.Evaluator,
            ["--urls", $"http://127.0.0.1:{port}", $"--Redis:Configuration=127.0.0.1:{store.Port},password={HarnessStore.Password}"],
            LogDirectory));
        Children.Watch(Evaluator);
    }

    /// <summary>
    /// The repo's config/ (copied next to this executable: real pricing, usage, sampling defaults), every catalog model
    /// served by the mock, and the two admin tokens of <see cref="ControlPlane"/>; the store flags are added by the caller.
    /// Logging stays as configured (Information, the shipped default): the gateway logs nothing per request at that level.
    /// </summary>
    private List<string> GatewayArgs(int port)
    {
        var args = new List<string>
        {
            "--urls", $"http://127.0.0.1:{port}",
            "--Gateway:Providers:mock:Kind=openai-compatible",
            $"--Gateway:Providers:mock:BaseUrl={MockUrl.AbsoluteUri.TrimEnd('/')}/v1",
            "--Gateway:Providers:mock:ForwardRequestHeaders:0=x-mock-*",
            $"--Gateway:Admin:Tokens:alice:Token={ControlPlane.OperatorToken}",
            "--Gateway:Admin:Tokens:alice:Roles:0=viewer",
            "--Gateway:Admin:Tokens:alice:Roles:1=author",
            "--Gateway:Admin:Tokens:alice:Roles:2=operator",
            $"--Gateway:Admin:Tokens:bob:Token={ControlPlane.ApproverToken}",
            "--Gateway:Admin:Tokens:bob:Roles:0=viewer",
            "--Gateway:Admin:Tokens:bob:Roles:1=approver",
        };
        foreach (var model in CatalogModels)
        {
            args.Add($"--Gateway:Models:{model}:Provider=mock");
            args.Add($"--Gateway:Models:{model}:UpstreamModel={model}");
        }

        return args;
    }

    private T Own<T>(T resource)
        where T : IAsyncDisposable
    {
        _owned.Add(resource);
        return resource;
    }
}
