using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace LlmGateway.Admin;

/// <summary>Refuses admin tokens that would not work (no secret, a malformed hash, unknown roles) and out-of-range limits.</summary>
internal sealed partial class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        var failures = new List<string>();
        foreach (var (actor, token) in options.Tokens)
        {
            var path = $"{AdminOptions.SectionName}:Tokens:{actor}";
            if (ReservedActorNames.IsReserved(actor))
            {
                failures.Add($"{path}: '{actor}' is a name the gateway itself acts under; choose another.");
            }
            if (string.IsNullOrEmpty(token.Token) == string.IsNullOrWhiteSpace(token.TokenSha256))
            {
                failures.Add($"{path}: set exactly one of Token and TokenSha256.");
            }

            if (!string.IsNullOrWhiteSpace(token.TokenSha256) && !Sha256Hex().IsMatch(token.TokenSha256.Trim()))
            {
                failures.Add($"{path}:TokenSha256 must be 64 hex characters.");
            }

            if (token.Token is { Length: < 16 })
            {
                failures.Add($"{path}:Token must be at least 16 characters.");
            }

            foreach (var role in token.Roles.Where(r => !AdminRoles.All.Contains(r)))
            {
                failures.Add($"{path}:Roles: '{role}' is not one of {string.Join(", ", AdminRoles.All)}.");
            }
        }

        if (options.FailedAuthenticationsPerMinute is < 1 or > 100_000)
        {
            failures.Add($"{AdminOptions.SectionName}:FailedAuthenticationsPerMinute must be from 1 to 100000.");
        }

        if (options.Audit.RetentionDays is < 1 or > 36_500)
        {
            failures.Add($"{AdminOptions.SectionName}:Audit:RetentionDays must be from 1 to 36500.");
        }

        if (options.Audit.MaxEntries < 1_000)
        {
            failures.Add($"{AdminOptions.SectionName}:Audit:MaxEntries must be at least 1000.");
        }

        if (options.Audit.RefusalsPerActorPerMinute is < 1 or > 100_000)
        {
            failures.Add($"{AdminOptions.SectionName}:Audit:RefusalsPerActorPerMinute must be from 1 to 100000.");
        }

        if (options.Audit.AuditedActionsPerActorPerMinute is < 1 or > 100_000)
        {
            failures.Add($"{AdminOptions.SectionName}:Audit:AuditedActionsPerActorPerMinute must be from 1 to 100000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(@"^[0-9a-fA-F]{64}\z")]
    private static partial Regex Sha256Hex();
}
