using System.Collections.Frozen;

namespace LlmGateway.Providers;

/// <summary>
/// The headers that may cross between a client and one provider, in one direction: the defaults and the provider's
/// configured names (exact, or a prefix ending in <c>*</c>), never one of the blocked names. Case-insensitive.
/// </summary>
internal sealed class HeaderAllowList
{
    private readonly FrozenSet<string> _names;
    private readonly string[] _prefixes;
    private readonly FrozenSet<string> _blockedNames;
    private readonly string[] _blockedPrefixes;

    private HeaderAllowList(IEnumerable<string> allowed, IEnumerable<string> blocked)
    {
        (_names, _prefixes) = Split(allowed);
        (_blockedNames, _blockedPrefixes) = Split(blocked);
    }

    /// <summary>What is forwarded to a provider: the defaults plus <paramref name="configured"/>.</summary>
    public static HeaderAllowList ForRequests(IEnumerable<string>? configured) =>
        new(ProviderHeaders.DefaultRequest.Concat(configured ?? []), ProviderHeaders.NeverForwarded);

    /// <summary>What is returned to the client: the defaults plus <paramref name="configured"/>.</summary>
    public static HeaderAllowList ForResponses(IEnumerable<string>? configured) =>
        new(ProviderHeaders.DefaultResponse.Concat(configured ?? []), ProviderHeaders.NeverReturned);

    public bool Allows(string name) => !Matches(name, _blockedNames, _blockedPrefixes) && Matches(name, _names, _prefixes);

    /// <summary>True when <paramref name="entry"/> (a name or a <c>prefix*</c>) names or covers a name in <paramref name="blocked"/>.</summary>
    public static bool Covers(string entry, IEnumerable<string> blocked)
    {
        var prefix = entry.EndsWith('*') ? entry[..^1] : null;
        foreach (var name in blocked)
        {
            var blockedPrefix = name.EndsWith('*') ? name[..^1] : null;
            var hit = (prefix, blockedPrefix) switch
            {
                (null, null) => string.Equals(entry, name, StringComparison.OrdinalIgnoreCase),
                (null, { } p) => entry.StartsWith(p, StringComparison.OrdinalIgnoreCase),
                ({ } p, null) => name.StartsWith(p, StringComparison.OrdinalIgnoreCase),
                ({ } p, { } q) => p.StartsWith(q, StringComparison.OrdinalIgnoreCase) || q.StartsWith(p, StringComparison.OrdinalIgnoreCase),
            };
            if (hit)
            {
                return true;
            }
        }

        return false;
    }

    private static bool Matches(string name, FrozenSet<string> names, string[] prefixes)
    {
        if (names.Contains(name))
        {
            return true;
        }

        foreach (var prefix in prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static (FrozenSet<string> Names, string[] Prefixes) Split(IEnumerable<string> entries)
    {
        var list = entries.Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim()).ToList();
        return (
            list.Where(e => !e.EndsWith('*')).ToFrozenSet(StringComparer.OrdinalIgnoreCase),
            [.. list.Where(e => e.EndsWith('*')).Select(e => e[..^1]).Distinct(StringComparer.OrdinalIgnoreCase)]);
    }
}
