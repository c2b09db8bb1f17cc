namespace LlmGateway.Store;

/// <summary>
/// Every key the gateway uses, in one place. Keys that are read or written together share a
/// hash tag (<c>{...}</c>) so multi-key commands and Lua stay valid on Redis Cluster.
/// </summary>
internal sealed class StoreKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>A gateway API key record, addressed by the SHA-256 of the secret.</summary>
    public string GatewayKey(string secretHash) => $"{Prefix}:{{key}}:{secretHash}";

    /// <summary>Hash of gateway key id to the SHA-256 of its secret, for listing and revoking.</summary>
    public string GatewayKeyIndex => $"{Prefix}:{{key}}:index";

    /// <summary>Set of every prompt name (its own slot; written idempotently beside each push).</summary>
    public string PromptIndex => $"{Prefix}:prompts";

    /// <summary>Hash of version to immutable bundle JSON.</summary>
    public string PromptBundles(string prompt) => $"{PromptTag(prompt)}:bundles";

    /// <summary>Hash of content id (SHA-256) to version: makes pushes idempotent.</summary>
    public string PromptContentIds(string prompt) => $"{PromptTag(prompt)}:ids";

    /// <summary>The last version number issued for a prompt.</summary>
    public string PromptSequence(string prompt) => $"{PromptTag(prompt)}:seq";

    /// <summary>Hash of version to review state (draft/approved).</summary>
    public string PromptStatus(string prompt) => $"{PromptTag(prompt)}:status";

    /// <summary>
    /// The release record of a prompt in an environment: the documented key that a raw
    /// <c>SET</c> may write to roll back.
    /// </summary>
    public string Release(string prompt, string environment) => $"{PromptTag(prompt)}:release:{environment}";

    /// <summary>The release value last written to history, to tell raw writes from API writes.</summary>
    public string ReleaseLogged(string prompt, string environment) => $"{PromptTag(prompt)}:release-logged:{environment}";

    /// <summary>Set of environments that have a release of this prompt.</summary>
    public string ReleaseEnvironments(string prompt) => $"{PromptTag(prompt)}:envs";

    /// <summary>Sorted set (score = unix ms) of every activation event of a prompt.</summary>
    public string History(string prompt) => $"{PromptTag(prompt)}:history";

    /// <summary>Sorted set of the release events of one environment: answers "active at T" with one read.</summary>
    public string EnvironmentHistory(string prompt, string environment) => $"{PromptTag(prompt)}:history:{environment}";

    /// <summary>Sorted set (score = unix ms) of audit entries.</summary>
    public string Audit => $"{Prefix}:{{audit}}:log";

    /// <summary>Usage counters of one minute (unix minutes): field = dimensions|metric.</summary>
    public string UsageMinute(long minute) => $"{Prefix}:usage:m:{minute}";

    /// <summary>Usage counters of one hour (unix minute of the hour's start), kept longer.</summary>
    public string UsageHour(long hourStartMinute) => $"{Prefix}:usage:h:{hourStartMinute}";

    /// <summary>Pub/sub channel on which changes are announced to every gateway instance.</summary>
    public string ChangesChannel => $"{Prefix}:changes";

    private string PromptTag(string prompt) => $"{Prefix}:{{p:{prompt}}}";
}
