using System.Text;
using LlmGateway.Prompts;
using LlmGateway.Releases;

namespace LlmGateway.Hosting;

/// <summary>
/// In demo mode, seeds <c>demo-bot</c>: two approved versions, released to the demo key's
/// environment with v2 on a 10% canary, so <c>"model": "prompt:demo-bot"</c> answers at once.
/// Does nothing when the prompt already exists (a persistent store, a restart).
/// </summary>
internal sealed class DemoPromptSeeder(
    PromptBundleValidator validator,
    PromptRegistry registry,
    ReleaseService releases,
    ReleaseSyncService sync,
    ILogger<DemoPromptSeeder> logger) : IHostedService
{
    public const string PromptName = "demo-bot";
    public const string Environment = "production";

    private const string Version1 = """
        {"name":"demo-bot","label":"1.0","message":"First version","model":"gpt-4o-mini",
         "messages":[{"role":"system","content":"You are {{ company }}'s assistant. Answer in {{ language }}."}],
         "variables":[{"name":"company","required":true,"description":"Brand name"},{"name":"language","required":false,"default":"English"}],
         "params":{"temperature":0.3,"max_tokens":300,"client_overridable":["temperature"]}}
        """;

    private const string Version2 = """
        {"name":"demo-bot","label":"1.1","message":"Shorter answers","model":"gpt-4o-mini",
         "messages":[{"role":"system","content":"You are {{ company }}'s assistant. Answer in {{ language }}, in two sentences at most."}],
         "variables":[{"name":"company","required":true,"description":"Brand name"},{"name":"language","required":false,"default":"English"}],
         "params":{"temperature":0.3,"max_tokens":120,"client_overridable":["temperature"]}}
        """;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if ((await registry.ListNamesAsync()).Contains(PromptName))
            {
                return;
            }

            foreach (var json in new[] { Version1, Version2 })
            {
                var validation = validator.Validate(Encoding.UTF8.GetBytes(json));
                var (bundle, _) = await registry.PushAsync(validation.Content!, validation.Id!, "demo-author");
                await registry.ApproveAsync(PromptName, bundle.Version, "demo-approver", "seeded for the demo");
            }

            await releases.ApplyAsync(PromptName, Environment, new ReleaseChange(ActivationActions.ReleaseSet, 1, null, "demo seed", null, null), "demo-seed", cancellationToken);
            await releases.ApplyAsync(PromptName, Environment, new ReleaseChange(ActivationActions.CanaryStart, 2, 1000, "demo seed: 10% canary", null, null), "demo-seed", cancellationToken);
            await sync.RefreshAsync();
            DemoModeLog.PromptSeeded(logger, PromptName, Environment);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            DemoModeLog.SeedFailed(logger, ex.GetType().Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
