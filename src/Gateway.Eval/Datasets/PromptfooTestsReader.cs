using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LlmGateway.Eval.Datasets;

/// <summary>
/// Reads a promptfoo YAML test file as a dataset: either a list of tests, or a suite mapping with <c>tests</c> and
/// an optional <c>defaultTest</c> (a whole <c>promptfooconfig.yaml</c> works too; its prompts and providers are
/// ignored, because the gateway's prompt bundle and version are what gets evaluated). A test has <c>vars</c>,
/// <c>assert</c>, <c>description</c>, <c>threshold</c>, <c>metadata</c> and <c>options</c>. Anything that would
/// change what is sent or scored and cannot be honoured is an error naming it, never silently dropped.
/// </summary>
internal static class PromptfooTestsReader
{
    /// <exception cref="DatasetFormatException">The file is not valid YAML or has something that cannot be mapped.</exception>
    public static EvalDataset Parse(ReadOnlySpan<byte> bytes, string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        var id = DatasetReader.IdOf(bytes, fileName);
        YamlStream stream;
        try
        {
            stream = LlmGateway.Contracts.Yaml.YamlNesting.Load(Decode(bytes));
        }
        catch (YamlException ex)
        {
            throw new DatasetFormatException(fileName, (int)ex.Start.Line, $"not valid YAML: {ex.Message}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet throws these, without a position, for some truncated documents and duplicate keys.
            throw new DatasetFormatException(fileName, 0, $"not valid YAML: {ex.Message}");
        }

        if (stream.Documents.Count == 0)
        {
            throw new DatasetFormatException(fileName, 0, "the file has no tests");
        }

        if (stream.Documents.Count > 1)
        {
            throw new DatasetFormatException(fileName, Line(stream.Documents[1].RootNode), "expected one YAML document, found several");
        }

        var reader = new PromptfooYamlNodeReader(fileName);
        var (tests, defaults) = reader.Suite(stream.Documents[0].RootNode);
        return PromptfooCaseBuilder.Build(id, fileName, [.. tests.Select(t => t.WithDefaults(defaults))]);
    }

    internal static int Line(YamlNode node) => (int)node.Start.Line;

    private static string Decode(ReadOnlySpan<byte> bytes) =>
        Encoding.UTF8.GetString(bytes.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes);
}
