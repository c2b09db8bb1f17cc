using System.Security.Cryptography;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using LlmGateway.Hosting;
using LlmGateway.Sampling;
using Microsoft.Extensions.Options;

namespace LlmGateway.Shadow;

/// <summary>
/// The shadow principal: a secret made at start-up that only this process knows (never stored, logged or sent
/// anywhere: the copies carrying it never leave the process, and it is accepted only on a request run in process,
/// so even leaked it opens nothing), standing for one synthetic key per environment. That key is billed apart
/// (app <c>shadow</c>, its own usage rows) and budgeted by <see cref="ShadowOptions.DailyBudgetUsd"/>, never against
/// the key of the client whose request was copied.
/// </summary>
internal sealed class ShadowCredential(IOptions<ShadowOptions> options, TimeProvider time)
{
    public const string App = "shadow";

    private readonly byte[] _secret = Encoding.ASCII.GetBytes("gw-shadow-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
    private readonly DateTimeOffset _createdAt = time.GetUtcNow();

    /// <summary>The bearer token the dispatcher sends.</summary>
    public string Secret => Encoding.ASCII.GetString(_secret);

    /// <summary>
    /// The synthetic key when the request carries the secret and a valid environment; null when it is not a shadow
    /// call (an ordinary key, or a forged one: it then fails like any unknown key).
    /// </summary>
    public GatewayKey? TryAuthenticate(HttpRequest request)
    {
        // A view of the header: the check costs every other request nothing but a length compare.
        var token = BearerToken.Span(request);
        if (token.Length != _secret.Length || !token.StartsWith("gw-shadow-", StringComparison.Ordinal))
        {
            return null;
        }

        // Copies never come over the network: there the secret, even leaked, is only an unknown key.
        if (request.HttpContext.Features.Get<InProcessExchange>() is null)
        {
            return null;
        }

        Span<byte> presented = stackalloc byte[_secret.Length];
        if (Encoding.ASCII.GetBytes(token, presented) != _secret.Length || !CryptographicOperations.FixedTimeEquals(presented, _secret))
        {
            return null;
        }

        var environment = request.Headers[ShadowHeaders.Environment].ToString();
        if (!IsEnvironmentName(environment))
        {
            return null;
        }

        return new GatewayKey("shadow-" + environment, App, environment, [], _createdAt)
        {
            Limits = new KeyLimits(options.Value.DailyBudgetUsd, null, null),
            IsShadow = true,
            SpendSliceUsd = options.Value.DailyBudgetUsd * (decimal)options.Value.BudgetSliceShare is > 0 and var slice ? slice : null,
        };
    }

    /// <summary>The stable sample id a shadow call names, when it is one the gateway could have made.</summary>
    public static string? PairedWith(HttpRequest request)
    {
        var id = request.Headers[ShadowHeaders.PairedWith].ToString();
        return SampleIds.IsWellFormed(id) ? id : null;
    }

    private static bool IsEnvironmentName(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
