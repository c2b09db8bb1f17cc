using System.Text.Json;
using LlmGateway.LoadTests.Serialization;

namespace LlmGateway.LoadTests.Reporting;

internal static class JsonReportWriter
{
    public static async Task WriteAsync(LoadTestReport report, string path)
    {
        await using var file = File.Create(path);
        // Indented here rather than in the context, which also serialises the compact request body.
        await using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        JsonSerializer.Serialize(json, report, LoadTestJsonContext.Default.LoadTestReport);
        await json.FlushAsync();
    }
}
