using LlmGateway.Memory;

namespace LlmGateway.Behaviour;

/// <summary>
/// The text of series fields, made once each: every scored sample counts a dozen or more fields, nearly always the same
/// few (versions × arms × metrics × statistics), and formatting each anew was most of the counting's allocation.
/// Bounded; a full set starts over.
/// </summary>
internal sealed class SeriesFieldNames
{
    public const int Capacity = 4096;

    private readonly BoundedMemo<SeriesField, string> _names = new(Capacity, WhenFull.StartOver);

    public int Count => _names.Count;

    public string Of(SeriesField field) => _names.GetOrAdd(field, static f => f.ToString());
}
