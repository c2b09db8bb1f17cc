using System.Net;
using System.Net.Sockets;

namespace LlmGateway.Auth;

/// <summary>
/// The rate-limit key of a remote address: IPv4 as is, IPv6 by its /64 (one host usually holds a whole /64, so
/// per-address limits would be free to escape).
/// </summary>
internal static class RemoteAddressKey
{
    public static string For(IPAddress? address)
    {
        if (address is null)
        {
            return "(none)";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
