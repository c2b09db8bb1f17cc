using System.Net;
using LlmGateway.Cli.Prompts;
using LlmGateway.Cli.Tests.Infrastructure;

namespace LlmGateway.Cli.Tests.Prompts;

public sealed class PromptFileReaderTests
{
    [Theory]
    [InlineData("bot.yaml", "name: bot\nmodel: m\n", """{"name":"bot","model":"m"}""", "bot")]
    [InlineData("bot.YML", "model: m\n", """{"model":"m"}""", null)]
    [InlineData("bot.json", """{ "name": "bot", "x": 1.50 }""", """{ "name": "bot", "x": 1.50 }""", "bot")]
    public void YAML_is_converted_and_JSON_is_sent_as_written(string path, string content, string expectedJson, string? expectedName)
    {
        var file = PromptFileReader.Parse(path, content);

        Assert.Equal(expectedJson, file.Json);
        Assert.Equal(expectedName, file.Name);
    }

    [Theory]
    [InlineData("bot.yaml", "- a\n- b\n", "invalid_file", "not a list")]
    [InlineData("bot.yaml", "just text", "invalid_file", "not a string")]
    [InlineData("bot.yaml", "a: [", "invalid_yaml", "invalid YAML: line 2")]
    [InlineData("bot.json", "{ \"a\": ", "invalid_json", "invalid JSON")]
    [InlineData("bot.json", "[1]", "invalid_file", "not a list")]
    [InlineData("bot.json", "name: bot", "invalid_json", "invalid JSON")]
    [InlineData("bot.json", """{"name":"bot","model":"gpt-4o","messages":[],"model":"gpt-4o-mini"}""", "invalid_json", "'model'")]
    [InlineData("bot.json", """{"name":"bot","params":{"temperature":0,"temperature":1}}""", "invalid_json", "'temperature'")]
    [InlineData("bot.yaml", "name: bot\nmodel: gpt-4o\nmodel: gpt-4o-mini\n", "invalid_yaml", "Duplicate key model")]
    public void Files_that_are_not_one_bundle_are_usage_errors(string path, string content, string expectedCode, string expectedFragment)
    {
        var error = Assert.Throws<UsageException>(() => PromptFileReader.Parse(path, content));

        Assert.Equal(expectedCode, error.Code);
        Assert.Contains(expectedFragment, error.Message, StringComparison.Ordinal);
    }

    // The gateway would keep the last "model" unseen: the file is refused before anything is sent, as its YAML twin is.
    [Fact]
    public async Task Push_refuses_a_json_bundle_with_a_key_given_twice_and_sends_nothing()
    {
        var directory = Directory.CreateTempSubdirectory("gatewayctl-tests-");
        try
        {
            var file = Path.Combine(directory.FullName, "bot.json");
            await File.WriteAllTextAsync(
                file,
                """{"name":"bot","model":"gpt-4o","messages":[{"role":"system","content":"Hi."}],"model":"gpt-4o-mini"}""",
                TestContext.Current.CancellationToken);
            var api = FakeAdminApi.Answering(HttpStatusCode.Created, "{}");

            var run = await api.RunAsync("prompts", "push", file);

            run.AssertExit(2);
            Assert.Empty(api.Requests);
            Assert.Contains("'model'", run.Err, StringComparison.Ordinal);
            Assert.Contains("(invalid_json)", run.Err, StringComparison.Ordinal);
            Assert.Contains("invalid", run.Out, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_directory_yields_its_prompt_files_sorted_and_not_its_subdirectories()
    {
        var directory = Directory.CreateTempSubdirectory("gatewayctl-tests-");
        try
        {
            foreach (var name in new[] { "b.yml", "a.yaml", "c.json", "notes.txt", "Z.YAML" })
            {
                File.WriteAllText(Path.Combine(directory.FullName, name), "name: x\n");
            }

            Directory.CreateDirectory(Path.Combine(directory.FullName, "nested"));
            File.WriteAllText(Path.Combine(directory.FullName, "nested", "d.yaml"), "name: x\n");

            var files = PromptFileReader.Discover(directory.FullName).Select(Path.GetFileName);

            Assert.Equal(["Z.YAML", "a.yaml", "b.yml", "c.json"], files);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_empty_directory_a_missing_path_and_a_wrong_extension_are_usage_errors()
    {
        var directory = Directory.CreateTempSubdirectory("gatewayctl-tests-");
        try
        {
            var text = Path.Combine(directory.FullName, "notes.txt");
            File.WriteAllText(text, "hi");

            Assert.Equal("no_prompt_files", Assert.Throws<UsageException>(() => PromptFileReader.Discover(directory.FullName)).Code);
            Assert.Equal("file_not_found", Assert.Throws<UsageException>(() => PromptFileReader.Discover(Path.Combine(directory.FullName, "missing.yaml"))).Code);
            Assert.Equal("invalid_file", Assert.Throws<UsageException>(() => PromptFileReader.Discover(text)).Code);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
