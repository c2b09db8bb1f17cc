using System.Runtime.InteropServices;
using System.Text.Json;
using LlmGateway.Serialization;

namespace LlmGateway.Store;

/// <summary>
/// <c>Gateway --store-child</c>: the embedded Garnet in a process of its own, started by <see cref="EmbeddedStoreProcess"/>.
/// It reads its settings as one JSON line on standard input, prints <see cref="ReadyMarker"/> and the port once it
/// listens (port 0 is picked here, next to the bind, not seconds earlier in the gateway), and
/// stops when its standard input closes, so it never outlives the gateway, even one that was killed.
/// </summary>
internal static class EmbeddedStoreChild
{
    public const string Switch = "--store-child";
    public const string ReadyMarker = "GATEWAY-STORE-READY";

    public static async Task<int> RunAsync(TextReader input, TextWriter output)
    {
        // Ctrl+C in a terminal and systemd's stop signal reach the whole process group: the gateway then drains its
        // requests and closes this process's input when it is done. Until then the store must stay up (and end
        // through Dispose, which deletes a temporary log folder and shuts a persistent one down cleanly).
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, static context => context.Cancel = true);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, static context => context.Cancel = true);
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, static context => context.Cancel = true);

        var line = await input.ReadLineAsync();
        var launch = line is null ? null : JsonSerializer.Deserialize(line, GatewayJsonContext.Default.EmbeddedStoreLaunch);
        if (launch is null)
        {
            await Console.Error.WriteLineAsync("store child: no settings on standard input");
            return 2;
        }

        EmbeddedGarnetServer server;
        try
        {
            server = EmbeddedGarnetServer.Start(launch.Port, launch.DataDirectory, launch.Memory, launch.Index, loggerFactory: null, launch.PageSize, launch.Password);
        }
        catch (IOException exception)
        {
            // Its message alone (a data directory in use names it): a stack trace would push it out of the last lines
            // the gateway reports.
            await Console.Error.WriteLineAsync("store child: " + exception.Message);
            return 3;
        }

        using (server)
        {
            await output.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ReadyMarker} {server.Port}"));
            await output.FlushAsync();
            while (await input.ReadLineAsync() is not null)
            {
                // Nothing is sent after the settings: the gateway closing the pipe is the signal to stop.
            }
        }

        return 0;
    }
}
