using System.Collections.Concurrent;
using System.Text.Json;
using LlmGateway.Prompts;
using LlmGateway.Releases;
using LlmGateway.Serialization;
using LlmGateway.Store;
using Microsoft.Extensions.Options;

namespace LlmGateway.Routing;

/// <summary>
/// Whether a pinned version may serve in an environment. A protected environment (the same
/// <c>Gateway:Releases:ProtectedEnvironments</c> that refuses releasing a draft) serves a pin only
/// if the version is approved, so a pin cannot put a draft in front of production traffic. Approval
/// is never withdrawn, so an approved version is remembered; a draft is re-read each time (one
/// <c>HGET</c> of the status hash), so an approval takes effect on the next request.
/// </summary>
internal sealed class PinApprovals(IOptions<ReleaseOptions> options, GatewayStore store)
{
    private readonly ReleaseOptions _options = options.Value;
    private readonly ConcurrentDictionary<(string Prompt, int Version), bool> _approved = new();

    public bool RequiresApproval(string environment) => _options.IsProtected(environment);

    /// <exception cref="StackExchange.Redis.RedisException">The store is unreachable.</exception>
    public async ValueTask<bool> IsApprovedAsync(string prompt, int version)
    {
        if (_approved.ContainsKey((prompt, version)))
        {
            return true;
        }

        var value = await store.Database.HashGetAsync(store.Keys.PromptStatus(prompt), version);
        if (value.IsNull || JsonSerializer.Deserialize((string)value!, GatewayJsonContext.Default.PromptVersionStatus) is not { IsApproved: true })
        {
            return false;
        }

        _approved.TryAdd((prompt, version), true);
        return true;
    }
}
