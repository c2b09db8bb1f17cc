using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace LlmGateway.Contracts.Yaml;

/// <summary>
/// Loads YAML only after a pass over its events (YamlDotNet's parser keeps its own stack) found it nested no deeper than
/// <see cref="YamlToJsonConverter.MaxDepth"/>: building the document recurses once per level with no limit of its own,
/// so 200,000 <c>[</c> in a dataset or a plan overflowed the stack and ended the process.
/// </summary>
internal static class YamlNesting
{
    /// <exception cref="YamlException">Invalid YAML, or YAML nested too deep (with where).</exception>
    public static YamlStream Load(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case MappingStart or SequenceStart when ++depth > YamlToJsonConverter.MaxDepth:
                    throw new YamlException(parser.Current.Start, parser.Current.End, $"Nested more than {YamlToJsonConverter.MaxDepth} levels deep.");
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }

        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream;
    }
}
