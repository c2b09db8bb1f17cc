using System.Net;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Sampling;

/// <summary>Reads samples through the admin API, waiting for the writer's next batch instead of sleeping.</summary>
internal static class SampleWaiter
{
    /// <summary>The samples the listing returns for <paramref name="query"/> once there are at least <paramref name="count"/>.</summary>
    public static async Task<JsonElement[]> ListAsync(GatewayHost gateway, string query, int count, TimeSpan? bound = null)
    {
        using var admin = new AdminClient(gateway, TestEnvironment.SampleReaderToken);
        var response = await Eventually.ResultAsync(
            () => admin.GetAsync("/admin/v1/samples?" + query),
            r => r.Status == HttpStatusCode.OK && r.Json.GetProperty("samples").GetArrayLength() >= count,
            bound ?? TimeSpan.FromSeconds(5));
        response.Expect(HttpStatusCode.OK);
        return response.Json.GetProperty("samples").EnumerateArray().ToArray();
    }

    public static async Task<JsonElement> GetAsync(GatewayHost gateway, string id)
    {
        using var admin = new AdminClient(gateway, TestEnvironment.SampleReaderToken);
        return (await admin.GetAsync("/admin/v1/samples/" + id)).Expect(HttpStatusCode.OK).Json;
    }
}
