using System.Text.Json.Serialization;

namespace LlmGateway.Eval.Scoring;

// Unknown properties are rejected: a promptfoo option we do not implement (e.g. `transform`) or a typo such as
// `treshold` would otherwise be ignored silently and the assertion would test something other than intended.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(AssertionSpec))]
[JsonSerializable(typeof(AssertionSpec[]))]
internal sealed partial class ScoringJsonContext : JsonSerializerContext;
