using System.CommandLine;
using System.Text;
using System.Text.Json;
using LlmGateway.Cli.Http;
using LlmGateway.Cli.Output;
using LlmGateway.Contracts.Keys;

namespace LlmGateway.Cli.Keys;

/// <summary><c>gatewayctl keys …</c>: issue, list and revoke the gateway keys apps use.</summary>
internal sealed class KeysCommands(CommandRunner runner)
{
    private static readonly string[] KnownPermissions = ["pin", "debug", "resolve"];

    private readonly Option<string> app = new("--app")
    {
        Description = "The app the key is for (letters, digits, '.', '_', '-')",
        HelpName = "app",
        Required = true,
    };

    private readonly Option<string> environment = new("--env", "-e")
    {
        Description = "The environment the key may call, e.g. production",
        HelpName = "env",
        Required = true,
    };

    private readonly Option<string[]> permissions = new("--permission")
    {
        Description = "A permission to grant (pin, debug or resolve); repeat it, or list several after one flag",
        HelpName = "pin|debug|resolve",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Argument<string> id = new("id") { Description = "The key's id (key_…), from 'keys list'; not the secret" };

    public Command Build()
    {
        permissions.AcceptOnlyFromAmong(KnownPermissions);

        var keys = new Command("keys", "Issue, list and revoke gateway keys (the keys apps send to the gateway)");

        var create = new Command("create", "Issue a key; its secret is shown once, now") { app, environment, permissions };
        runner.Bind(create, CreateAsync);

        var list = new Command("list", "List keys (never their secrets)");
        runner.Bind(list, ListAsync);

        var revoke = new Command("revoke", "Revoke a key") { id };
        runner.Bind(revoke, RevokeAsync);

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(revoke);
        return keys;
    }

    private async Task<int> CreateAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var request = new CreateKeyRequest(
            context.Value(app) ?? throw new UsageException("--app is required."),
            context.Value(environment) ?? throw new UsageException("--env is required."),
            [.. (context.Value(permissions) ?? []).Distinct(StringComparer.Ordinal)]);
        var body = JsonSerializer.Serialize(request, CliJsonContext.Default.CreateKeyRequest);

        var response = await context.Api.PostAsync(AdminRoutes.Keys, body, cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        var created = response.Read(CliJsonContext.Default.CreatedKey);
        var record = created.Record;
        var granted = record.Permissions is { Count: > 0 } list ? string.Join(", ", list) : "none";
        OneTimeSecret.Write(
            context.Out,
            $"Created gateway key {record.Id} for app '{record.App}' in {record.Environment} (permissions: {granted}).",
            created.Key,
            "key",
            $"Apps send it as 'Authorization: Bearer <key>'; revoke it with 'gatewayctl keys revoke {record.Id}'.");
        return ExitCodes.Success;
    }

    private static async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Api.GetAsync(AdminRoutes.Keys, cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        var keys = response.Read(CliJsonContext.Default.GatewayKeyRecordArray);
        if (keys.Length == 0)
        {
            context.Out.WriteLine("No gateway keys. Issue one with: gatewayctl keys create --app A --env E");
            return ExitCodes.Success;
        }

        var table = new TextTable("ID", "APP", "ENVIRONMENT", "PERMISSIONS", "CREATED");
        foreach (var key in keys.OrderBy(k => k.CreatedAt))
        {
            table.AddRow(key.Id, key.App, key.Environment, key.Permissions is { Count: > 0 } granted ? string.Join(",", granted) : null, Display.Instant(key.CreatedAt));
        }

        table.WriteTo(context.Out);
        return ExitCodes.Success;
    }

    private async Task<int> RevokeAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var keyId = context.Value(id);
        if (SecretPrefixes.IsSecretWhereIdBelongs(keyId))
        {
            // Not sent: a secret in a URL reaches access logs on the way.
            throw new UsageException("That is a key's secret, not its id (key_…, from 'gatewayctl keys list'); nothing was sent. Treat the secret as exposed.");
        }

        await context.Api.DeleteAsync(AdminRoutes.Key(keyId), cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            // The gateway answers 204 with no body; scripts still get one JSON document per command.
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteString("id", keyId);
                writer.WriteBoolean("revoked", true);
                writer.WriteEndObject();
            }

            context.Out.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
            return ExitCodes.Success;
        }

        context.Out.WriteLine($"Revoked gateway key {keyId}.");
        return ExitCodes.Success;
    }
}
