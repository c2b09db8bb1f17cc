namespace LlmGateway.Providers;

/// <summary>One deployment of a provider: a YARP destination (scheme, host and port only) and its own key, if any.</summary>
internal sealed record ProviderDestination(string Id, string Address, string? ApiKey)
{
    /// <summary>The record's printed form (its <c>ToString</c>) leaves the key out, should a destination ever be logged.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", Address = ").Append(Address).Append(", ApiKey = ").Append(ApiKey is null ? "(none)" : "(set)");
        return true;
    }
}
