using LlmGateway.Cli.Http;

namespace LlmGateway.Cli.AdminTokens;

/// <summary>The admin API paths of <c>gatewayctl admin-tokens</c>.</summary>
internal static class AdminTokenRoutes
{
    public const string AdminTokens = "/admin/v1/admin-tokens";

    public static string AdminToken(string id) => $"{AdminTokens}/{AdminRoutes.Segment(id)}";
}
