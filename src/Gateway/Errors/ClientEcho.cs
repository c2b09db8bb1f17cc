namespace LlmGateway.Errors;

/// <summary>
/// A client's value (a model or prompt name, a key, a header) repeated in an error message, cut to
/// <see cref="MaxLength"/> characters: an error answer never grows with what the client sent (the JSON writer escapes
/// characters such as <c>&lt;</c> six-fold).
/// </summary>
internal static class ClientEcho
{
    public const int MaxLength = 256;

    public static string Cut(string value)
    {
        if (value.Length <= MaxLength)
        {
            return value;
        }

        // Never half a surrogate pair: the writer would have to replace it.
        var length = char.IsHighSurrogate(value[MaxLength - 1]) ? MaxLength - 1 : MaxLength;
        return value[..length];
    }
}
