namespace LlmGateway.Proxy;

/// <summary>A top-level property: <c>[Start, End)</c> spans <c>"name": value</c>; the value starts at <see cref="ValueStart"/>.</summary>
internal readonly record struct ScannedProperty(TopLevelField Field, int Start, int ValueStart, int End);
