using LlmGateway.Cli.Prompts;

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
    public void Files_that_are_not_one_bundle_are_usage_errors(string path, string content, string expectedCode, string expectedFragment)
    {
        var error = Assert.Throws<UsageException>(() => PromptFileReader.Parse(path, content));

        Assert.Equal(expectedCode, error.Code);
        Assert.Contains(expectedFragment, error.Message, StringComparison.Ordinal);
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
