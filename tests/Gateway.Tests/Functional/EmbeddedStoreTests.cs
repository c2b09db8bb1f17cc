using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using LlmGateway.Auth;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace LlmGateway.Tests.Functional;

/// <summary>With no Redis configured, the gateway runs its own Garnet (in a child process by default) and stops it on shutdown.</summary>
public sealed class EmbeddedStoreTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_gateway_without_redis_serves_from_embedded_garnet_and_stops_it_cleanly()
    {
        var settings = env.GatewaySettings(useSharedStore: false);
        int port;
        Process storeProcess;
        await using (var gateway = await GatewayHost.StartAsync(settings))
        {
            var store = gateway.GetRequiredService<GatewayStore>();
            Assert.True(store.IsEmbedded);
            port = ((IPEndPoint)store.Connection.GetEndPoints().Single()).Port;

            // In a process of its own (the default), started from the gateway's own assembly, its password never on
            // the command line that every local user can read.
            storeProcess = Process.GetProcessById(Assert.IsType<int>(store.EmbeddedProcessId));
            Assert.NotEqual(Environment.ProcessId, storeProcess.Id);
            if (OperatingSystem.IsLinux())
            {
                // What every local user can read of it (Linux): the host, the gateway's assembly and the switch.
                var commandLine = (await File.ReadAllTextAsync($"/proc/{storeProcess.Id}/cmdline", Ct)).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(3, commandLine.Length);
                Assert.Equal("dotnet", Path.GetFileName(commandLine[0]));
                Assert.Equal(typeof(GatewayStore).Assembly.Location, commandLine[1]);
                Assert.Equal(EmbeddedStoreChild.Switch, commandLine[2]);
            }

            var (_, key) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("embedded", "test", []);
            var chat = OpenAiClients.For(gateway, key).GetChatClient("gpt-4o-mini");
            ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("ping")], cancellationToken: Ct);
            Assert.Contains("user=ping", completion.Content[0].Text, StringComparison.Ordinal);

            // Lua is on: the release and queue features depend on it.
            var result = await store.Database.ScriptEvaluateAsync("return redis.call('INCRBY', KEYS[1], ARGV[1])", ["{lua}:probe"], [41]);
            Assert.Equal(41, (int)result);
        }

        // Stopped with the gateway: the process is gone and nothing listens on its port.
        await storeProcess.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(async () => await probe.ConnectAsync(IPAddress.Loopback, port, Ct));
    }

    [Fact]
    public async Task When_the_store_process_dies_readyz_says_so_and_the_gateway_stops_to_be_restarted()
    {
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings(useSharedStore: false));
        var store = gateway.GetRequiredService<GatewayStore>();
        var stopping = gateway.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var _ = stopping.Register(() => stopped.TrySetResult());
        Assert.False(stopping.IsCancellationRequested);

        using var storeProcess = Process.GetProcessById(Assert.IsType<int>(store.EmbeddedProcessId));
        storeProcess.Kill();

        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.True(store.EmbeddedProcessExited);
        var report = await gateway.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);
        var check = report.Entries["store"];
        Assert.Equal(HealthStatus.Unhealthy, check.Status);
        Assert.Equal("The embedded Garnet process exited; the gateway is stopping to be restarted.", check.Description);
    }

    [Fact]
    public async Task A_store_process_that_stops_answering_is_killed_and_the_gateway_stops_to_be_restarted()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "Freezes the store with SIGSTOP.");
        await using var gateway = await StartWithHangTimeoutAsync(seconds: 2);
        var store = gateway.GetRequiredService<GatewayStore>();
        var stopping = gateway.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var _ = stopping.Register(() => stopped.TrySetResult());
        using var storeProcess = Process.GetProcessById(Assert.IsType<int>(store.EmbeddedProcessId));
        try
        {
            // Alive but frozen: a hang, not a death, so only the watchdog can tell.
            await Signal("-STOP", storeProcess.Id);

            await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            await storeProcess.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
            Assert.True(store.EmbeddedProcessHung);
            Assert.True(store.EmbeddedProcessExited);
            var report = await gateway.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);
            var check = report.Entries["store"];
            Assert.Equal(HealthStatus.Unhealthy, check.Status);
            Assert.Equal("The embedded Garnet process stopped answering and was killed; the gateway is stopping to be restarted.", check.Description);
        }
        finally
        {
            if (!storeProcess.HasExited)
            {
                storeProcess.Kill();
            }
        }
    }

    [Fact]
    public async Task A_store_that_answers_is_left_alone_by_the_watchdog()
    {
        await using var gateway = await StartWithHangTimeoutAsync(seconds: 4);
        var store = gateway.GetRequiredService<GatewayStore>();
        var (_, key) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("embedded", "test", []);
        var chat = OpenAiClients.For(gateway, key).GetChatClient("gpt-4o-mini");

        // Requests for longer than the hang timeout: every PING is answered, so nothing is killed.
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(5))
        {
            ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("ping")], cancellationToken: Ct);
            Assert.Contains("user=ping", completion.Content[0].Text, StringComparison.Ordinal);
        }

        Assert.False(store.EmbeddedProcessHung);
        Assert.False(store.EmbeddedProcessExited);
        Assert.False(gateway.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    private Task<GatewayHost> StartWithHangTimeoutAsync(int seconds)
    {
        var settings = env.GatewaySettings(useSharedStore: false);
        settings["Redis:Embedded:HangTimeoutSeconds"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return GatewayHost.StartAsync(settings);
    }

    private static async Task Signal(string signal, int processId)
    {
        using var kill = Process.Start("kill", [signal, processId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(Ct);
        Assert.Equal(0, kill.ExitCode);
    }

    [Fact]
    public async Task Told_so_the_gateway_hosts_the_store_in_its_own_process()
    {
        var settings = env.GatewaySettings(useSharedStore: false);
        settings["Redis:Embedded:OwnProcess"] = "false";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var store = gateway.GetRequiredService<GatewayStore>();

        Assert.True(store.IsEmbedded);
        Assert.Null(store.EmbeddedProcessId);
        var (_, key) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("embedded", "test", []);
        ChatCompletion completion = await OpenAiClients.For(gateway, key).GetChatClient("gpt-4o-mini").CompleteChatAsync([new UserChatMessage("ping")], cancellationToken: Ct);
        Assert.Contains("user=ping", completion.Content[0].Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_configured_store_password_holding_the_connection_string_s_separators_still_serves(bool ownProcess)
    {
        var settings = env.GatewaySettings(useSharedStore: false);
        settings["Redis:Embedded:Password"] = "ab,cd=ef";
        settings["Redis:Embedded:OwnProcess"] = ownProcess ? "true" : "false";
        await using var gateway = await GatewayHost.StartAsync(settings);

        // A key is written to the store and read back to serve a request.
        var (_, key) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("embedded-password", "test", []);
        ChatCompletion completion = await OpenAiClients.For(gateway, key).GetChatClient("gpt-4o-mini").CompleteChatAsync([new UserChatMessage("ping")], cancellationToken: Ct);

        Assert.Contains("user=ping", completion.Content[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_with_a_data_directory_takes_checkpoints_on_its_own()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gw-garnet-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var garnet = EmbeddedGarnetServer.Start(dataDirectory: directory, memory: "64m", index: "8m", checkpointSeconds: 1);
            await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(garnet.ConnectionString);
            await connection.GetDatabase().StringSetAsync("checkpointed", "yes");

            // Without one the append-only file only grows, and every start replays all of it.
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(Checkpoints(directory).Any()), TimeSpan.FromSeconds(30)), string.Join("\n", Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static IEnumerable<string> Checkpoints(string directory) =>
        Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories).Where(d => d.Contains("checkpoints", StringComparison.OrdinalIgnoreCase) && Directory.EnumerateFiles(d).Any());

    [Fact]
    public async Task The_embedded_store_keeps_data_across_restarts_when_given_a_data_directory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gw-garnet-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var first = EmbeddedGarnetServer.Start(dataDirectory: directory, memory: "64m", index: "8m"))
            {
                await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(first.ConnectionString);
                await connection.GetDatabase().StringSetAsync("persisted", "yes");
            }

            using var second = EmbeddedGarnetServer.Start(dataDirectory: directory, memory: "64m", index: "8m");
            await using var reconnected = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(second.ConnectionString);
            Assert.Equal("yes", (string?)await reconnected.GetDatabase().StringGetAsync("persisted"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
