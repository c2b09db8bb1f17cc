namespace LlmGateway.Accounting;

/// <summary>
/// The tools a provider runs itself and charges per call beside the tokens (<see cref="PricingOptions.ToolCalls"/>):
/// named as declared in a request's <c>tools</c> (<c>web_search</c>) and as their calls appear in a Responses answer's
/// <c>output</c> (<c>web_search_call</c>).
/// </summary>
internal static class ProviderToolNames
{
    public const string WebSearch = "web_search";

    /// <summary>What a declared tool whose type (or a property name) is not valid text is called: never priced.</summary>
    public const string Unreadable = "(a tool type that is not valid text)";

    /// <summary>
    /// Tools the client runs itself: their results come back in its next request's body, where they are counted. Any
    /// other type (web and file search, MCP, code interpreter, image generation…) the provider runs and reads back.
    /// </summary>
    public static readonly byte[][] ClientRunUtf8 =
        [.. new[] { "function", "custom", "computer_use_preview", "computer_use", "local_shell", "shell", "apply_patch" }.Select(System.Text.Encoding.UTF8.GetBytes)];

    /// <summary>
    /// Tools the client runs (their calls come back to it), and MCP servers (tokens only): no fee. By declared type, and
    /// by call item without its <c>_call</c> (a custom tool's item is <c>custom_tool_call</c>, computer use's <c>computer_call</c>).
    /// </summary>
    private static readonly string[] Unpriced =
        ["function", "custom", "custom_tool", "computer_use_preview", "computer_use", "computer", "local_shell", "shell", "apply_patch", "mcp"];

    /// <summary>
    /// The priced tool an output item of this type is a call of (<c>web_search_call</c> → <c>web_search</c>); null for an
    /// item that is no such call (a message, a function call the client runs, an MCP call).
    /// </summary>
    public static string? OfCallItem(ReadOnlySpan<char> itemType) =>
        itemType.EndsWith("_call", StringComparison.Ordinal) ? Priced(itemType[..^"_call".Length]) : null;

    /// <summary>
    /// The priced tool a declared tool type stands for (<c>web_search_preview</c> and its dated versions are
    /// <c>web_search</c>); null for a tool the client runs, or MCP. The reader is at the type's string token: the known
    /// names are compared as bytes (no string per tool), and a type that is not text (a lone surrogate escape) is a
    /// tool of its own, never an exception.
    /// </summary>
    public static string? OfDeclaredType(ref System.Text.Json.Utf8JsonReader type)
    {
        try
        {
            foreach (var unpriced in UnpricedUtf8)
            {
                if (type.ValueTextEquals(unpriced))
                {
                    return null;
                }
            }

            if (!type.HasValueSequence && !type.ValueIsEscaped && type.ValueSpan.StartsWith("web_search"u8))
            {
                return WebSearch;
            }

            foreach (var known in KnownPriced)
            {
                if (type.ValueTextEquals(known))
                {
                    return known;
                }
            }

            return type.GetString() is { Length: > 0 } other ? OfDeclaredType(other) : null;
        }
        catch (InvalidOperationException)
        {
            // Comparing or reading it unescapes it, which a lone surrogate escape makes throw.
            return Unreadable;
        }
    }

    /// <summary>As <see cref="OfDeclaredType(ref System.Text.Json.Utf8JsonReader)"/>, for a type already read.</summary>
    public static string? OfDeclaredType(ReadOnlySpan<char> type) =>
        type.StartsWith(WebSearch, StringComparison.Ordinal) ? WebSearch : Priced(type);

    private static readonly string[] KnownPriced = [WebSearch, "file_search", "code_interpreter", "image_generation"];

    private static readonly byte[][] UnpricedUtf8 = [.. Unpriced.Select(System.Text.Encoding.UTF8.GetBytes)];

    private static string? Priced(ReadOnlySpan<char> tool)
    {
        foreach (var unpriced in Unpriced)
        {
            if (tool.SequenceEqual(unpriced))
            {
                return null;
            }
        }

        return tool.IsEmpty ? null : tool.ToString();
    }
}
