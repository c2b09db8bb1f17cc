using System.Text.Json;
using LlmGateway.Serialization;

namespace LlmGateway.Store;

/// <summary>
/// <c>Gateway --store-child</c>: the embedded Garnet in a process of its own, started by <see cref="EmbeddedStoreProcess"/>.
/// It reads its settings as one JSON line on standard input, prints <see cref="ReadyMarker"/> once it listens, and
/// stops when its standard input closes, so it never outlives the gateway, even one that was killed.
/// </summary>
internal static class EmbeddedStoreChild
{
    public const string Switch = "--store-child";
    public const string ReadyMarker = "GATEWAY-STORE-READY";

    public static async Task<int> RunAsync(TextReader input, TextWriter output)
    {
        var line = await input.ReadLineAsync();
        var launch = line is null ? null : JsonSerializer.Deserialize(line, GatewayJsonContext.Default.EmbeddedStoreLaunch);
        if (launch is null)
        {
            await Console.Error.WriteLineAsync("store child: no settings on standard input");
            return 2;
        }

        using (EmbeddedGarnetServer.Start(launch.Port, launch.DataDirectory, launch.Memory, launch.Index, loggerFactory: null, launch.PageSize, launch.Password))
        {
            await output.WriteLineAsync(ReadyMarker);
            await output.FlushAsync();
            while (await input.ReadLineAsync() is not null)
            {
                // Nothing is sent after the settings: the gateway closing the pipe is the signal to stop.
            }
        }

        return 0;
    }
}
