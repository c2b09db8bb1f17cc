using System.Globalization;
using System.Text.Json;
using Fluid;
using Fluid.Values;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Errors;
using LlmGateway.Proxy;

namespace LlmGateway.Rewriting;

/// <summary>
/// Binds <c>prompt_variables</c> to a bundle's declared variables (defaults applied, required ones
/// enforced, only scalars accepted) and renders its message templates. For a multi-turn request
/// (<see cref="PromptConversation"/>) only the system and developer templates render, so a required
/// variable is required only when one of those reads it; the other entries are left empty and the
/// rewriter does not write them. Every render runs under <see cref="TemplateLimits"/> (steps, recursion, output
/// size); a render that hits one is a 500 <c>template_error</c>, logged without the template or its variables, unless the
/// client's long text hit it (a 400, see <see cref="ClientShare"/>).
/// </summary>
internal sealed class PromptRenderer(ILogger<PromptRenderer> logger, TemplateLimits? limits = null)
{
    private readonly TemplateLimits _limits = limits ?? TemplateLimits.Default;

    public async ValueTask<(string[]? Contents, GatewayError? Error)> RenderAsync(PreparedBundle bundle, RequestScan scan)
    {
        if (scan.MessagesNotArray)
        {
            return (null, GatewayError.InvalidRequest("'messages' must be an array of chat messages.", "messages", "invalid_value"));
        }

        if (scan.PromptVariablesNotObject)
        {
            return (null, GatewayError.InvalidRequest("'prompt_variables' must be a JSON object of template variables.", "prompt_variables", "invalid_prompt_variables"));
        }

        var multiTurn = PromptConversation.IsMultiTurn(scan);
        if (Validate(bundle, scan, multiTurn) is { } invalid)
        {
            return (null, invalid);
        }

        if (Remembered(bundle, scan, multiTurn, out var memoKey) is { } remembered)
        {
            return (remembered, null);
        }

        var contents = new string[bundle.Messages.Count];
        try
        {
            await RenderAllAsync(bundle, Bind(bundle, scan, withClientText: true), multiTurn, contents);
        }
        catch (Exception ex) when (LimitOf(ex) is { } limit)
        {
            if (ClientShareExceeded(limit, ClientTextLength(bundle, scan)) && await RendersWithoutClientTextAsync(bundle, scan, multiTurn))
            {
                // The client's text is so long that a template using it a few times meets the limit: its input, a 400,
                // never the version's 500 (a 500 counts against the version and its arm, and a client must not be
                // able to raise a version's error rate at will by sending a long variable).
                return (null, GatewayError.InvalidRequest(
                    "'prompt_variables' hold more text than this prompt can render within the gateway's template limits; send less.",
                    "prompt_variables", "prompt_variables_too_long"));
            }

            RewritingLog.RenderLimitExceeded(logger, bundle.Name, bundle.Version, limit);
            return (null, new GatewayError(StatusCodes.Status500InternalServerError, new OpenAiError(
                $"Rendering the prompt '{bundle.Name}' v{bundle.Version} exceeded the gateway's template limits. The gateway's logs have the details.", "server_error", null, "template_error")));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The template and variables may be confidential: the client hears only which bundle failed.
            RewritingLog.RenderFailed(logger, bundle.Name, bundle.Version, ex.GetType().Name);
            return (null, new GatewayError(StatusCodes.Status500InternalServerError, new OpenAiError(
                $"Rendering the prompt '{bundle.Name}' v{bundle.Version} failed. The gateway's logs have the details.", "server_error", null, "template_error")));
        }

        if (memoKey is not null)
        {
            bundle.Renders!.Add(memoKey, contents);
        }

        return (contents, null);
    }

    private async Task RenderAllAsync(PreparedBundle bundle, TemplateContext context, bool multiTurn, string[] contents)
    {
        using var writer = _limits.CreateWriter();
        for (var i = 0; i < contents.Length; i++)
        {
            var message = bundle.Messages[i];
            if (multiTurn && !message.IsInstruction)
            {
                contents[i] = string.Empty;
                continue;
            }

            await message.Template.RenderAsync(writer, NullEncoder.Default, context);
            contents[i] = writer.TakeText();
        }
    }

    /// <summary>
    /// Whether the render fits the limits with every client string bound as empty: only then did the client's text
    /// (not the template on its own, nor numbers bounded at push) take the render past a limit.
    /// </summary>
    private async Task<bool> RendersWithoutClientTextAsync(PreparedBundle bundle, RequestScan scan, bool multiTurn)
    {
        try
        {
            await RenderAllAsync(bundle, Bind(bundle, scan, withClientText: false), multiTurn, new string[bundle.Messages.Count]);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The request's variables against the bundle's declarations: required ones present, only scalars, maxima kept.</summary>
    private static GatewayError? Validate(PreparedBundle bundle, RequestScan scan, bool multiTurn)
    {
        foreach (var declared in bundle.Bundle.Variables)
        {
            var name = declared.Name!;
            if (Find(scan.Variables, name) is not { } value)
            {
                // A template that will not render cannot miss a variable.
                if (declared.Required && (!multiTurn || bundle.InstructionVariables.Contains(name)))
                {
                    return GatewayError.InvalidRequest(
                        $"The prompt '{bundle.Name}' requires the variable '{name}' in 'prompt_variables'.", $"prompt_variables.{name}", "missing_variable");
                }

                continue;
            }

            if (!value.IsScalar)
            {
                return GatewayError.InvalidRequest(
                    $"The variable '{name}' must be a string, number, boolean or null, not an {value.Kind.ToString().ToLowerInvariant()}.", $"prompt_variables.{name}", "invalid_variable");
            }

            // A variable with a maximum may bound a loop (checked at push): only a whole number in range gets in.
            if (declared.Maximum is { } maximum && WholeNumber(value, maximum) is null)
            {
                return GatewayError.InvalidRequest(
                    $"The variable '{name}' must be a whole number from 0 to {maximum.ToString(CultureInfo.InvariantCulture)}.", $"prompt_variables.{name}", "invalid_variable");
            }
        }

        return null;
    }

    /// <summary>
    /// The template context of validated variables (defaults for those not supplied); without
    /// <paramref name="withClientText"/>, the client's strings bound as empty.
    /// </summary>
    private TemplateContext Bind(PreparedBundle bundle, RequestScan scan, bool withClientText)
    {
        var context = new TemplateContext(_limits.FluidOptions);
        foreach (var declared in bundle.Bundle.Variables)
        {
            var name = declared.Name!;
            context.SetValue(name, Find(scan.Variables, name) is not { } value ? Default(declared)
                : declared.Maximum is { } maximum ? NumberValue.Create(WholeNumber(value, maximum)!.Value)
                : !withClientText && value.Kind == JsonValueKind.String ? StringValue.Empty
                : ToFluid(value));
        }

        return context;
    }

    /// <summary>
    /// A declared default: a number for a variable with a maximum (checked a whole number within it at push), as a
    /// client's value of it is, so <c>{% if n > 1 %}</c> reads the same whether the client sent 3 or left the default 3.
    /// </summary>
    private static FluidValue Default(PromptVariable declared) =>
        declared.Default is not { } text ? NilValue.Instance
        : declared.Maximum is not null && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? NumberValue.Create(number)
        : new StringValue(text);

    private static long? WholeNumber(ScannedVariable value, long maximum) =>
        value.Kind == JsonValueKind.Number
        && long.TryParse(value.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
        && number >= 0 && number <= maximum
            ? number
            : null;

    /// <summary>
    /// The bundle's remembered render of these values; else null, with the key to remember this render under (null too
    /// when the bundle keeps no renders or the values are too long to look up).
    /// </summary>
    private static string[]? Remembered(PreparedBundle bundle, RequestScan scan, bool multiTurn, out string? key)
    {
        key = null;
        Span<char> buffer = stackalloc char[RenderMemo.MaxKeyChars];
        if (bundle.Renders is not { } memo || !TryWriteKey(bundle, scan, multiTurn, buffer, out var length))
        {
            return null;
        }

        if (memo.TryGet(buffer[..length], out var contents))
        {
            return contents;
        }

        key = new string(buffer[..length]);
        return null;
    }

    /// <summary>
    /// What the render depends on, written unambiguously: the conversation's kind, then per declared variable either
    /// "absent" or its JSON kind, its text's length and its text. False when it does not fit (such values render every time).
    /// </summary>
    private static bool TryWriteKey(PreparedBundle bundle, RequestScan scan, bool multiTurn, Span<char> key, out int length)
    {
        length = 0;
        key[length++] = multiTurn ? 'm' : 's';
        foreach (var declared in bundle.Bundle.Variables)
        {
            if (Find(scan.Variables, declared.Name!) is not { } value)
            {
                if (length == key.Length)
                {
                    return false;
                }

                key[length++] = '-';
                continue;
            }

            var text = value.Text ?? string.Empty;
            if (length + 1 >= key.Length
                || !text.Length.TryFormat(key[(length + 1)..], out var digits, provider: CultureInfo.InvariantCulture)
                || length + 1 + digits + 1 + text.Length > key.Length)
            {
                return false;
            }

            key[length] = (char)('a' + (int)value.Kind);
            length += 1 + digits;
            key[length++] = ':';
            text.CopyTo(key[length..]);
            length += text.Length;
        }

        return true;
    }

    /// <summary>
    /// How many times a template may use the client's text before a limit it meets is the template's fault. A render
    /// that meets the output or the step limit with more than 1/<see cref="ClientShare"/> of that limit in client text
    /// (characters against characters, or against steps: a loop over the text takes at least a step per part), and
    /// that fits with the client's strings empty, is the client's (400): printing a variable a few times, or looping over
    /// its words, is what templates do. Any other limit hit is the version's (500): it amplified a short value (a string
    /// doubled by filters, a loop per character with an inner loop) or fails on its own.
    /// </summary>
    private const int ClientShare = 8;

    // Fluid's step and recursion limits are told apart only by its message (nested loops have read as recursion), so
    // both are held against the steps; the render without the client's text is what keeps a template's own fault its own.
    private bool ClientShareExceeded(string limit, long clientText) =>
        clientText * ClientShare > (limit == OutputLimit ? _limits.MaxOutputChars : _limits.FluidOptions.MaxSteps);

    /// <summary>Which limit an exception reports: ours, or Fluid's step and recursion limits (an InvalidOperationException naming "maximum").</summary>
    private const string OutputLimit = "output limit";

    /// <summary>The text the client bound to the bundle's declared variables (what a render can write of its input).</summary>
    private static long ClientTextLength(PreparedBundle bundle, RequestScan scan)
    {
        long length = 0;
        foreach (var declared in bundle.Bundle.Variables)
        {
            length += Find(scan.Variables, declared.Name!)?.Text?.Length ?? 0;
        }

        return length;
    }

    private static string? LimitOf(Exception ex) => ex switch
    {
        TemplateLimitExceededException limit => limit.Limit,
        InvalidOperationException when ex.Message.Contains("maximum", StringComparison.OrdinalIgnoreCase) => "step or recursion limit",
        _ => null,
    };

    private static ScannedVariable? Find(ScannedVariable[] variables, string name)
    {
        foreach (var variable in variables)
        {
            if (variable.Name == name)
            {
                return variable;
            }
        }

        return null;
    }

    private static FluidValue ToFluid(ScannedVariable value) => value.Kind switch
    {
        JsonValueKind.String => new StringValue(value.Text),
        JsonValueKind.Number => ToFluidNumber(value.Text ?? string.Empty),
        JsonValueKind.True => BooleanValue.True,
        JsonValueKind.False => BooleanValue.False,
        _ => NilValue.Instance,
    };

    /// <summary>
    /// A number prints exactly as the client wrote it: a Fluid number when Fluid prints it back the same, otherwise
    /// its text (Fluid prints 1.50 as 1.5, so a price of 19.90 would reach the model as 19.9; a number too long for
    /// decimal has no Fluid form at all).
    /// </summary>
    private static FluidValue ToFluidNumber(string text)
    {
        // Fluid prints a decimal without its trailing zeros; dividing by 1.000…0 drops them the same way, so the
        // check below is what the template will print.
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && (number / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture) == text)
        {
            return NumberValue.Create(number);
        }

        return new StringValue(text);
    }
}
