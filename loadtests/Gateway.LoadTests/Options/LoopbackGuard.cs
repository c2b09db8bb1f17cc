using System.Net;

namespace LlmGateway.LoadTests.Options;

/// <summary>
/// Keeps the generator on this machine. A load test pointed at a shared or production host by mistake is an
/// outage, so only loopback targets are accepted: 127.0.0.0/8, ::1 and the name <c>localhost</c>.
/// </summary>
internal static class LoopbackGuard
{
    public const string LocalhostName = "localhost";

    public static bool IsLoopbackHost(Uri uri) => uri.HostNameType switch
    {
        // Uri has already normalised spellings such as 127.1 or 0x7f.0.0.1 to dotted-quad form.
        UriHostNameType.IPv4 or UriHostNameType.IPv6 => IPAddress.TryParse(uri.IdnHost, out var address) && IPAddress.IsLoopback(address),
        UriHostNameType.Dns => string.Equals(uri.IdnHost, LocalhostName, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };
}
