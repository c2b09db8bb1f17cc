using System.CommandLine;
using System.Text;
using System.Text.Json;
using LlmGateway.Cli.Http;
using LlmGateway.Cli.Output;
using LlmGateway.Contracts.AdminTokens;
using LlmGateway.Contracts.Keys;

namespace LlmGateway.Cli.AdminTokens;

/// <summary>
/// <c>gatewayctl admin-tokens …</c>: issue, list and revoke the tokens people and pipelines use against the admin
/// API, so credentials rotate without a restart (the configured tokens remain as bootstrap).
/// </summary>
internal sealed class AdminTokensCommands(CommandRunner runner)
{
    private readonly Option<string> name = new("--name")
    {
        Description = "Who the token acts as, shown in history and audit (letters, digits, '.', '_', '-')",
        HelpName = "name",
        Required = true,
    };

    private readonly Option<string[]> roles = new("--role")
    {
        Description = "A role to grant (viewer, author, approver, operator, sample-reader), at most the caller's own; repeat it, or list several after one flag",
        HelpName = "role",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Argument<string> id = new("id") { Description = "The token's id (adm_…), from 'admin-tokens list'; not the secret" };

    public Command Build()
    {
        var tokens = new Command("admin-tokens", "Issue, list and revoke admin tokens (the tokens gatewayctl and operators use)");

        var issue = new Command("issue", "Issue an admin token; its secret is shown once, now") { name, roles };
        runner.Bind(issue, IssueAsync);

        var list = new Command("list", "List admin tokens, configured and issued (never their secrets)");
        runner.Bind(list, ListAsync);

        var revoke = new Command("revoke", "Revoke an issued admin token, on every gateway instance at once") { id };
        runner.Bind(revoke, RevokeAsync);

        tokens.Subcommands.Add(issue);
        tokens.Subcommands.Add(list);
        tokens.Subcommands.Add(revoke);
        return tokens;
    }

    private async Task<int> IssueAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var request = new IssueAdminTokenRequest(
            context.Value(name) ?? throw new UsageException("--name is required."),
            [.. (context.Value(roles) ?? []).Distinct(StringComparer.Ordinal)]);
        var body = JsonSerializer.Serialize(request, CliJsonContext.Default.IssueAdminTokenRequest);

        var response = await context.Api.PostAsync(AdminTokenRoutes.AdminTokens, body, cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        var issued = response.Read(CliJsonContext.Default.IssuedAdminTokenResponse);
        var record = issued.Record;
        OneTimeSecret.Write(
            context.Out,
            $"Issued admin token {record.Id} for '{record.Name}' (roles: {string.Join(", ", record.Roles ?? [])}).",
            issued.Token,
            "token",
            $"Use it as GATEWAY_ADMIN_TOKEN; revoke it with 'gatewayctl admin-tokens revoke {record.Id}'.");
        return ExitCodes.Success;
    }

    private static async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Api.GetAsync(AdminTokenRoutes.AdminTokens, cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        var tokens = response.Read(CliJsonContext.Default.AdminTokenRecordArray);
        if (tokens.Length == 0)
        {
            context.Out.WriteLine("No admin tokens. Issue one with: gatewayctl admin-tokens issue --name N --role viewer");
            return ExitCodes.Success;
        }

        var table = new TextTable("ID", "NAME", "ROLES", "SOURCE", "CREATED", "BY");
        foreach (var token in tokens)
        {
            table.AddRow(token.Id, token.Name, token.Roles is { Count: > 0 } granted ? string.Join(",", granted) : null, token.Source, Display.Instant(token.CreatedAt), token.CreatedBy);
        }

        table.WriteTo(context.Out);
        return ExitCodes.Success;
    }

    private async Task<int> RevokeAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var tokenId = context.Value(id);
        if (SecretPrefixes.IsSecretWhereIdBelongs(tokenId))
        {
            // Not sent: a secret in a URL reaches access logs on the way.
            throw new UsageException("That is an admin token's secret, not its id (adm_…, from 'gatewayctl admin-tokens list'); nothing was sent. Treat the secret as exposed.");
        }

        await context.Api.DeleteAsync(AdminTokenRoutes.AdminToken(tokenId), cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            // The gateway answers 204 with no body; scripts still get one JSON document per command.
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteString("id", tokenId);
                writer.WriteBoolean("revoked", true);
                writer.WriteEndObject();
            }

            context.Out.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
            return ExitCodes.Success;
        }

        context.Out.WriteLine($"Revoked admin token {tokenId}.");
        return ExitCodes.Success;
    }
}
