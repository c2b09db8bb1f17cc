using System.Text.Json;
using LlmGateway.Accounting;
using LlmGateway.Errors;
using LlmGateway.Proxy;

namespace LlmGateway.Budgets;

/// <summary>
/// The tools a request lets the provider run at a fee per call: those declared in its <c>tools</c> (web and file
/// search, code interpreter, image generation, by <see cref="ProviderToolNames"/>), the most calls it allows
/// (<c>max_tool_calls</c>, at most <see cref="MaxToolCallsCeiling"/>), and chat's <c>web_search_options</c> (a
/// search-preview model searches once per request). Read from the one scan's offsets; only for a key with limits.
/// </summary>
internal sealed record ProviderToolUse(IReadOnlyList<string> Tools, int? MaxToolCalls, bool ChatSearch)
{
    /// <summary>The request sets <c>max_tool_calls</c> to a count the reservation reads (0 to <see cref="MaxToolCallsCeiling"/>).</summary>
    public bool MaxToolCallsGiven { get; init; }

    public static readonly ProviderToolUse None = new([], null, false);

    /// <summary>
    /// The most <c>max_tool_calls</c> a request may set. The reservation multiplies it by the dearest tool's fee and adds
    /// it to the key's spend counters, which are 64-bit nano-USD: int.MaxValue calls at a few cents each reserve about
    /// 1e17, and a few dozen such requests push a counter past what the store can add to (its overflow error used to be
    /// taken for an outage, and let requests through unbudgeted). 1,000 is the ceiling of
    /// <see cref="BudgetOptions.ProviderToolCallsBound"/> already: no agent run is expected to need more provider-run calls
    /// in one response, and 1,000 calls of any priced tool reserve at most hundreds of USD, nowhere near the counters' range.
    /// </summary>
    public const int MaxToolCallsCeiling = 1000;

    public bool IsEmpty => Tools.Count == 0 && !ChatSearch;

    /// <returns>The tools and calls, or the refusal of a <c>max_tool_calls</c> above <see cref="MaxToolCallsCeiling"/>.</returns>
    public static (ProviderToolUse Use, GatewayError? Error) Read(ReadOnlySpan<byte> body, RequestScan scan)
    {
        List<string>? tools = null;
        int? maxCalls = null;
        var maxCallsGiven = false;
        var aboveCeiling = false;
        var chatSearch = false;
        foreach (var property in scan.Properties)
        {
            if (property.Field == TopLevelField.Tools)
            {
                tools = DeclaredTools(body[property.ValueStart..property.End]);
            }
            else if (property.Field == TopLevelField.Other && !property.IsNull(body))
            {
                if (property.NameIs(body, "web_search_options"u8))
                {
                    chatSearch = true;
                }
                else if (property.NameIs(body, "max_tool_calls"u8))
                {
                    var value = body[property.ValueStart..property.End];
                    aboveCeiling = AboveCeiling(value);

                    // A count the reservation can read (0 included); anything else the gateway replaces with its bound.
                    var count = aboveCeiling ? null : Count(value);
                    maxCalls = count is > 0 ? count : null;
                    maxCallsGiven = count is not null;
                }
            }
        }

        if (tools is null && !chatSearch)
        {
            // Only provider-run tools are billed per call (and only they are what max_tool_calls caps at OpenAI): an
            // agent with function tools alone may set any cap, as nothing is reserved for it.
            return (None, null);
        }

        if (aboveCeiling)
        {
            // Refused, not clamped: the client asked for more calls than the gateway will reserve, and a silently lower
            // cap would change what its request does.
            return (None, GatewayError.InvalidRequest(
                $"'max_tool_calls' must be at most {MaxToolCallsCeiling}, the gateway's limit, with provider-run tools.", "max_tool_calls", "invalid_value"));
        }

        return (new ProviderToolUse(tools ?? [], maxCalls, chatSearch) { MaxToolCallsGiven = maxCallsGiven }, null);
    }

    /// <summary>
    /// Whether the request has chat's <c>web_search_options</c>: the search it makes once per request, billed whether or
    /// not its answer shows it. Property names only, no parse: it is asked of every billed request.
    /// </summary>
    public static bool AsksChatSearch(ReadOnlySpan<byte> body, RequestScan scan)
    {
        foreach (var property in scan.Properties)
        {
            if (property.Field == TopLevelField.Other && property.NameIs(body, "web_search_options"u8) && !property.IsNull(body))
            {
                return true;
            }
        }

        return false;
    }

    private static List<string>? DeclaredTools(ReadOnlySpan<byte> tools)
    {
        // In the order declared, each once (a set beside the list: a hostile body may declare tens of thousands).
        List<string>? declared = null;
        HashSet<string>? seen = null;
        try
        {
            var reader = new Utf8JsonReader(tools, RequestBodyScanner.ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return null;
            }

            while (reader.Read() && reader.CurrentDepth >= 1)
            {
                if (reader.CurrentDepth == 2 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("type"u8)
                    && reader.Read() && reader.TokenType == JsonTokenType.String
                    && ProviderToolNames.OfDeclaredType(ref reader) is { } tool)
                {
                    seen ??= new HashSet<string>(StringComparer.Ordinal);
                    if (seen.Add(tool))
                    {
                        (declared ??= []).Add(tool);
                    }
                }

                if (reader.CurrentDepth >= 2 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // The body was validated before forwarding: nothing here is unreadable.
        }
        catch (InvalidOperationException)
        {
            // A property name that is not valid text (a lone surrogate escape), which comparing it unescapes: a tool
            // nothing can price.
            declared ??= [];
            declared.Add(ProviderToolNames.Unreadable);
        }

        return declared;
    }

    /// <summary>
    /// A JSON number above <see cref="MaxToolCallsCeiling"/>, whatever its form (past int32 or int64, a fraction, an
    /// exponent); one too large for a double is above it too.
    /// </summary>
    private static bool AboveCeiling(ReadOnlySpan<byte> value)
    {
        var reader = new Utf8JsonReader(value);
        return reader.Read() && reader.TokenType == JsonTokenType.Number && (!reader.TryGetDouble(out var number) || number > MaxToolCallsCeiling);
    }

    /// <summary>A JSON integer from 0 to int.MaxValue; null for anything else.</summary>
    private static int? Count(ReadOnlySpan<byte> value)
    {
        var reader = new Utf8JsonReader(value);
        return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n) && n >= 0 ? n : null;
    }
}
