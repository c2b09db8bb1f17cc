using System.Text.Json;
using LlmGateway.Cli.Prompts;

namespace LlmGateway.Cli.Tests.Prompts;

public sealed class PromptDiffTests
{
    private const string Version1 = """
        {"id":"aaa","name":"bot","version":1,"label":"1.0","message":"first","author":"alice",
         "created_at":"2026-11-01T10:00:00Z","parent":null,"status":"approved","approved_by":"bob",
         "approved_at":"2026-11-01T11:00:00Z","model":"gpt-4o-mini",
         "messages":[{"role":"system","content":"Be brief."}],"params":{"temperature":0.2}}
        """;

    private const string Version2 = """
        {"id":"bbb","name":"bot","version":2,"label":"1.0","message":"first","author":"carol",
         "created_at":"2026-11-02T10:00:00Z","parent":1,"status":"draft","approved_by":null,
         "approved_at":null,"model":"gpt-4o-mini",
         "messages":[{"role":"system","content":"Be brief."}],"params":{"temperature":0.2}}
        """;

    [Theory]
    [InlineData("id")]
    [InlineData("version")]
    [InlineData("created_at")]
    [InlineData("author")]
    [InlineData("parent")]
    [InlineData("status")]
    [InlineData("approved_by")]
    [InlineData("approved_at")]
    public void Metadata_that_always_differs_is_removed(string field)
    {
        var normalised = PromptDiff.Normalise(Parse(Version1));

        Assert.DoesNotContain($"\"{field}\"", normalised, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("label")]
    [InlineData("message")]
    [InlineData("model")]
    [InlineData("messages")]
    [InlineData("params")]
    public void Content_and_descriptive_fields_are_kept(string field)
    {
        var normalised = PromptDiff.Normalise(Parse(Version1));

        Assert.Contains($"\"{field}\"", normalised, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_top_level_metadata_is_removed_not_nested_fields_with_the_same_name()
    {
        var normalised = PromptDiff.Normalise(Parse("""{"id":"x","params":{"seed":1},"retrieval":{"version":"kb-3"}}"""));

        Assert.Equal("{\n  \"params\": {\n    \"seed\": 1\n  },\n  \"retrieval\": {\n    \"version\": \"kb-3\"\n  }\n}", normalised.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Versions_that_differ_only_in_metadata_have_no_diff()
    {
        var diff = PromptDiff.Unified(PromptDiff.Normalise(Parse(Version1)), PromptDiff.Normalise(Parse(Version2)), "bot v1", "bot v2");

        Assert.Equal("", diff);
    }

    [Fact]
    public void A_changed_value_shows_as_a_unified_hunk_with_context()
    {
        var older = PromptDiff.Normalise(Parse(Version1));
        var newer = PromptDiff.Normalise(Parse(Version2.Replace("\"temperature\":0.2", "\"temperature\":0.7", StringComparison.Ordinal)));

        var diff = PromptDiff.Unified(older, newer, "bot v1", "bot v2");

        Assert.Equal(
            """
            --- bot v1
            +++ bot v2
            @@ -10,6 +10,6 @@
                 }
               ],
               "params": {
            -    "temperature": 0.2
            +    "temperature": 0.7
               }
             }

            """.ReplaceLineEndings("\n"),
            diff);
    }

    [Theory]
    [InlineData("a\nb\nc", "a\nb\nc\nd", "@@ -1,3 +1,4 @@\n a\n b\n c\n+d\n")]
    [InlineData("a\nb\nc", "b\nc", "@@ -1,3 +1,2 @@\n-a\n b\n c\n")]
    [InlineData("", "a", "@@ -0,0 +1,1 @@\n+a\n")]
    [InlineData("1\n2\n3\n4\n5\n6\n7\n8\n9\n10", "1\nX\n3\n4\n5\n6\n7\n8\nY\n10", "@@ -1,10 +1,10 @@\n 1\n-2\n+X\n 3\n 4\n 5\n 6\n 7\n 8\n-9\n+Y\n 10\n")]
    public void Hunks_number_lines_like_diff_u(string older, string newer, string expectedHunks)
    {
        var diff = PromptDiff.Unified(older, newer, "old", "new", context: 3);

        Assert.Equal("--- old\n+++ new\n" + expectedHunks, diff);
    }

    [Fact]
    public void Distant_changes_get_separate_hunks()
    {
        var older = string.Join('\n', Enumerable.Range(1, 20));
        var newer = older.Replace("\n2\n", "\nTWO\n", StringComparison.Ordinal).Replace("\n19\n", "\nNINETEEN\n", StringComparison.Ordinal);

        var diff = PromptDiff.Unified(older, newer, "old", "new", context: 1);

        Assert.Equal("--- old\n+++ new\n@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\n 3\n@@ -18,3 +18,3 @@\n 18\n-19\n+NINETEEN\n 20\n", diff);
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
