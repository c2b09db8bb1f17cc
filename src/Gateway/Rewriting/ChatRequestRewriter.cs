using System.Buffers;
using System.Text.Json;
using LlmGateway.Errors;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Proxy;

namespace LlmGateway.Rewriting;

/// <summary>
/// Writes the upstream chat request for a prompt bundle, from the single scan of the client body:
/// <c>model</c> becomes the bundle's upstream model; <c>messages</c> are the rendered bundle
/// messages (only its system and developer ones when the client brings a conversation, see
/// <see cref="PromptConversation"/>) followed by the client's (its system messages kept, dropped or
/// refused by policy);
/// bundle parameters win unless marked <c>client_overridable</c>; <c>prompt_variables</c> is removed;
/// every other field is copied byte for byte.
/// </summary>
internal static class ChatRequestRewriter
{
    /// <param name="outputCap">
    /// Written as <c>max_tokens</c> (in place of the client's null) unless the bundle writes its own: a limited key's
    /// request to a provider that would not stop the model at the limit reserved (<see cref="Budgets.OutputCap"/>).
    /// </param>
    public static GatewayError? Rewrite(
        ReadOnlySpan<byte> body, RequestScan scan, PreparedBundle bundle, IReadOnlyList<string> renderedContents, PooledBuffer destination, bool injectUsage = false, CatalogModel? model = null, Budgets.OutputCap? outputCap = null)
    {
        var policy = bundle.Bundle.SystemMessagePolicy;
        if (policy == SystemMessagePolicies.Reject && Array.Exists(scan.Messages, m => m.MaySetSystem))
        {
            return GatewayError.InvalidRequest(
                $"The prompt '{bundle.Name}' sets the system message; it does not accept one from the client.", "messages", "system_message_not_allowed");
        }

        var separator = new Separator(destination);
        destination.Write("{"u8);

        separator.Next();
        destination.Write("\"model\":"u8);
        destination.Write((model ?? bundle.Model).UpstreamModelJson.Span);

        separator.Next();
        WriteMessages(body, scan, bundle, renderedContents, policy == SystemMessagePolicies.Replace, destination);

        var clientOptions = injectUsage ? StreamOptionsWriter.Find(body, scan) : null;
        var wroteOptions = false;
        foreach (var property in scan.Properties)
        {
            if (injectUsage && property.Field == TopLevelField.StreamOptions)
            {
                separator.Next();
                StreamOptionsWriter.Write(body, clientOptions, destination);
                wroteOptions = true;
            }
            else if (!IsReplaced(property.Field, scan, bundle))
            {
                separator.Next();
                if (outputCap is { } output && output.Names(body, property))
                {
                    // Asked for only when the client's max_tokens is null: that one is replaced.
                    destination.Write(body[property.Start..property.ValueStart]);
                    output.WriteValue(destination);
                    outputCap = null;
                }
                else
                {
                    destination.Write(body[property.Start..property.End]);
                }
            }
        }

        if (injectUsage && !wroteOptions)
        {
            separator.Next();
            StreamOptionsWriter.Write(body, null, destination);
        }

        // Indexed loops over arrays and lists: a foreach over an interface would box an enumerator per request.
        foreach (var parameter in bundle.Parameters)
        {
            if (!(parameter.ClientOverridable && ClientSets(scan, parameter.Field)))
            {
                separator.Next();
                destination.Write(parameter.PropertyJson);
                if (parameter.Field == TopLevelField.MaxTokens)
                {
                    // The bundle's own cap, which its reservation counted: nothing to add.
                    outputCap = null;
                }
            }
        }

        if (outputCap is { } uncapped)
        {
            separator.Next();
            uncapped.Write(destination);
        }

        destination.Write("}"u8);
        return null;
    }

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    // What an idle writer points at: never written (a Stream would make the writer allocate a buffer on every reset).
    private static readonly ArrayBufferWriter<byte> Detached = new(1);

    private static void WriteMessages(ReadOnlySpan<byte> body, RequestScan scan, PreparedBundle bundle, IReadOnlyList<string> renderedContents, bool dropClientSystem, PooledBuffer destination)
    {
        // The same rule the renderer applied: a multi-turn request gets the bundle's instructions only.
        var multiTurn = PromptConversation.IsMultiTurn(scan);
        var written = 0;
        destination.Write("\"messages\":["u8);
        // One writer per thread, reset onto this buffer: the rewrite is synchronous, and a writer per request was
        // its largest allocation. Pointed at nothing at the end, so the thread's writer does not keep the request's buffer.
        var writer = t_writer ??= new Utf8JsonWriter(destination, BundlePreparer.WriterOptions);
        writer.Reset(destination);
        try
        {
            for (var i = 0; i < bundle.Messages.Count; i++)
            {
                var message = bundle.Messages[i];
                if (multiTurn && !message.IsInstruction)
                {
                    continue;
                }

                if (written++ > 0)
                {
                    writer.Flush();
                    destination.Write(","u8);
                    writer.Reset(destination);
                }

                writer.WriteStartObject();
                writer.WriteString("role"u8, message.Role);
                writer.WriteString("content"u8, renderedContents[i]);
                writer.WriteEndObject();
            }

            writer.Flush();
        }
        finally
        {
            writer.Reset(Detached);
        }

        foreach (var message in scan.Messages)
        {
            if (dropClientSystem && message.MaySetSystem)
            {
                continue;
            }

            // A bundle of user templates only contributes nothing to a conversation: no leading comma then.
            if (written++ > 0)
            {
                destination.Write(","u8);
            }

            destination.Write(body[message.Start..message.End]);
        }

        destination.Write("]"u8);
    }

    /// <summary>Fields the rewrite writes itself, or removes, rather than copying from the client.</summary>
    private static bool IsReplaced(TopLevelField field, RequestScan scan, PreparedBundle bundle)
    {
        switch (field)
        {
            case TopLevelField.Model or TopLevelField.Messages or TopLevelField.PromptVariables:
                return true;
            case TopLevelField.Other or TopLevelField.Stream or TopLevelField.User:
                return false;
            case TopLevelField.MaxCompletionTokens:
                // The bundle's max_tokens governs both spellings of the limit.
                return BundleForces(bundle, TopLevelField.MaxTokens, scan);
            default:
                return BundleForces(bundle, field, scan);
        }
    }

    /// <summary>True when the bundle sets the field and the client may not override it.</summary>
    private static bool BundleForces(PreparedBundle bundle, TopLevelField field, RequestScan scan)
    {
        foreach (var parameter in bundle.Parameters)
        {
            if (parameter.Field == field)
            {
                return !(parameter.ClientOverridable && ClientSets(scan, field));
            }
        }

        return false;
    }

    private static bool ClientSets(RequestScan scan, TopLevelField field)
    {
        foreach (var property in scan.Properties)
        {
            if (property.Field == field || (field == TopLevelField.MaxTokens && property.Field == TopLevelField.MaxCompletionTokens))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes the commas between members.</summary>
    private struct Separator(PooledBuffer destination)
    {
        private bool _first = true;

        public void Next()
        {
            if (!_first)
            {
                destination.Write(","u8);
            }

            _first = false;
        }
    }
}
