namespace LlmGateway.Providers;

/// <summary>A published figure of a model family, looked up by the upstream model's name: the longest prefix wins.</summary>
internal static class ModelFamilies
{
    public static int Lookup(ReadOnlySpan<(string Prefix, int Limit)> families, string upstreamModel, int otherwise)
    {
        var best = (Length: -1, Limit: otherwise);
        foreach (var (prefix, limit) in families)
        {
            if (upstreamModel.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && prefix.Length > best.Length)
            {
                best = (prefix.Length, limit);
            }
        }

        return best.Limit;
    }
}
