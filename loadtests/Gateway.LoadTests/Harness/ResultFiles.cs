using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace LlmGateway.LoadTests.Harness;

/// <summary>Where a harness command writes its markdown, JSON and charts: <c>--out</c>, by default <c>loadtests/results</c>.</summary>
internal sealed class ResultFiles(string directory)
{
    public string Directory { get; } = directory;

    public static ResultFiles From(string? configured)
    {
        var directory = configured
            ?? (System.IO.Directory.Exists("loadtests") ? Path.Combine("loadtests", "results") : "results");
        System.IO.Directory.CreateDirectory(directory);
        return new ResultFiles(Path.GetFullPath(directory));
    }

    public string PathOf(string fileName) => Path.Combine(Directory, fileName);

    public async Task WriteJsonAsync<T>(string fileName, T value, JsonTypeInfo<T> typeInfo)
    {
        await using var file = File.Create(PathOf(fileName));
        await using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        JsonSerializer.Serialize(json, value, typeInfo);
    }

    public Task WriteTextAsync(string fileName, string text) => File.WriteAllTextAsync(PathOf(fileName), text);
}
