using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace LlmGateway.Hosting;

/// <summary>
/// Where this process can call itself: its first plain-HTTP listen address (other than <c>excludedPort</c>, the
/// metrics port, which answers nothing else), a wildcard turned into the loopback.
/// </summary>
internal static class OwnAddress
{
    /// <summary>The address, or null before the server listens (or when it has no plain-HTTP address).</summary>
    public static Uri? Of(IServer? server, int? excludedPort = null)
    {
        var addresses = server?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            && (excludedPort is not { } port || !a.EndsWith(":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        if (first is null)
        {
            return null;
        }

        // A wildcard listen address is not somewhere to send a request: the loopback is.
        var uri = new UriBuilder(first.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::" or "localhost")
        {
            uri.Host = "127.0.0.1";
        }

        return uri.Uri;
    }
}
