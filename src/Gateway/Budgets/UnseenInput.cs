using System.Text.Json;
using LlmGateway.Proxy;

namespace LlmGateway.Budgets;

/// <summary>
/// Whether the provider will read input the body does not show: a conversation it keeps (a Responses
/// <c>previous_response_id</c> or <c>conversation</c>), a prompt it stores (a Responses <c>prompt</c> object), or the
/// results of tools it runs itself (web and file search, MCP servers, code interpreter…, not the tools the client runs;
/// chat's <c>web_search_options</c>), which it reads back as input. Files and items the input names by id are found by the
/// prompt's own reading (<see cref="Accounting.RequestTextShape.References"/>).
/// </summary>
internal static class UnseenInput
{
    /// <summary>Reads only the top-level properties the scanner does not act on, and the tools' types (offsets from the one scan).</summary>
    public static bool IsRead(ReadOnlySpan<byte> body, RequestScan scan)
    {
        foreach (var property in scan.Properties)
        {
            if (property.Field == TopLevelField.Tools)
            {
                if (RunsBuiltInTools(body[property.ValueStart..property.End]))
                {
                    return true;
                }
            }
            else if (property.Field == TopLevelField.Other && !property.IsNull(body)
                && (property.NameIs(body, "previous_response_id"u8) || property.NameIs(body, "conversation"u8) || property.NameIs(body, "web_search_options"u8)
                    || (property.NameIs(body, "prompt"u8) && body[property.ValueStart..property.End].TrimStart(" \t\r\n"u8).StartsWith("{"u8))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A tool the provider runs itself (not one of <see cref="Accounting.ProviderToolNames.ClientRunUtf8"/>): it reads its results as input.</summary>
    private static bool RunsBuiltInTools(ReadOnlySpan<byte> tools)
    {
        try
        {
            var reader = new Utf8JsonReader(tools, RequestBodyScanner.ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            while (reader.Read() && reader.CurrentDepth >= 1)
            {
                if (reader.CurrentDepth == 2 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("type"u8)
                    && reader.Read() && reader.TokenType == JsonTokenType.String && !IsClientRun(ref reader))
                {
                    return true;
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
            // A type that is not valid text (a lone surrogate escape), which comparing it unescapes: not a tool the
            // client runs, so the provider may run it and read what it returns.
            return true;
        }

        return false;
    }

    private static bool IsClientRun(ref Utf8JsonReader reader)
    {
        foreach (var type in Accounting.ProviderToolNames.ClientRunUtf8)
        {
            if (reader.ValueTextEquals(type))
            {
                return true;
            }
        }

        return false;
    }
}
