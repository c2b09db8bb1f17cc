namespace LlmGateway.Usage;

/// <summary>
/// One combination of usage dimensions, kept as references on the hot path; joined into the hash
/// field name (<see cref="UsageDimensions.Join"/>) only by the background writer, once per batch.
/// </summary>
internal readonly record struct UsageDimensionKey(string Prompt, int Version, string Variant, string Model, string KeyId)
{
    public string Join() => UsageDimensions.Join(Prompt, Version, Variant, Model, KeyId);
}
