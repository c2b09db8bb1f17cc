namespace LlmGateway.Tests.Infrastructure;

/// <summary>Bundle JSON for tests, with a unique prompt name per test so tests share one store safely.</summary>
public static class Bundles
{
    public static string UniqueName(string stem) => $"{stem}-{Guid.NewGuid().ToString("N")[..10]}";

    public static string Json(string name, string system = "You are {{ company }} support.", string extra = "") => $$"""
        {
          "name": "{{name}}",
          "model": "gpt-4o-mini",
          "messages": [ { "role": "system", "content": "{{system}}" } ],
          "variables": [ { "name": "company", "required": true } ]{{extra}}
        }
        """;
}
