using LlmGateway.Errors;

namespace LlmGateway.Proxy;

/// <summary>
/// What one pass over the request JSON found: the fields the gateway decides on, and byte
/// offsets of everything else so a rewrite copies it untouched.
/// </summary>
internal sealed class RequestScan
{
    public string? Error { get; init; }

    public bool IsValid => Error is null;

    /// <summary>A top-level key the body holds more than once (the body is then invalid).</summary>
    public string? DuplicateKey { get; init; }

    /// <summary>
    /// The code of a refusal of one field (too many items, a value of the wrong type or length; the body is then
    /// invalid), whose message is <see cref="Error"/>.
    /// </summary>
    public string? RefusedCode { get; init; }

    /// <summary>That field (null: the body's own keys).</summary>
    public string? RefusedParam { get; init; }

    /// <summary>
    /// The answer to an invalid body: a duplicate key names itself as <c>param</c>, as does a refused field; anything
    /// else is invalid JSON.
    /// </summary>
    public GatewayError Refusal => DuplicateKey is { } key
        ? GatewayError.InvalidRequest($"The request body holds the key '{key}' more than once; send each key once.", key, "duplicate_key")
        : RefusedCode is { } code ? GatewayError.InvalidRequest(Error!, RefusedParam, code)
        : GatewayError.InvalidJson(Error ?? "invalid JSON.");

    public string? Model { get; set; }

    /// <summary>Offset of the <c>model</c> value token (quotes included), or -1.</summary>
    public int ModelTokenStart { get; set; } = -1;

    public int ModelTokenLength { get; set; }

    public bool Stream { get; set; }

    /// <summary><c>"background": true</c>: a Responses request the provider would run out of the gateway's sight (<see cref="DetachedWork"/>).</summary>
    public bool Background { get; set; }

    /// <summary><c>"service_tier": "priority"</c>: billed by the provider above its standard price (<see cref="Accounting.PricingOptions.PriorityTierFactor"/>).</summary>
    public bool PriorityTier { get; set; }

    /// <summary>The client asked for the usage chunk (<c>stream_options.include_usage: true</c>).</summary>
    public bool ClientIncludesUsage { get; set; }

    /// <summary>The output cap the client asked for (<c>max_tokens</c> or <c>max_completion_tokens</c>), if any.</summary>
    public long? MaxOutputTokens { get; set; }

    /// <summary>The body's <c>user</c>, a stickiness input.</summary>
    public string? User { get; set; }

    // Arrays of exactly what was found, set once by the scanner (which collects into its own reused lists): a list
    // per field grown as it fills cost a quarter of a kilobyte per request.

    /// <summary>Every top-level property, in order.</summary>
    public ScannedProperty[] Properties { get; set; } = [];

    /// <summary>Elements of <c>messages</c>, when it is an array.</summary>
    public ScannedMessage[] Messages { get; set; } = [];

    /// <summary>Entries of <c>prompt_variables</c>, when it is an object.</summary>
    public ScannedVariable[] Variables { get; set; } = [];

    /// <summary>True when <c>messages</c> is present but not an array.</summary>
    public bool MessagesNotArray { get; set; }

    /// <summary>True when <c>prompt_variables</c> is present but not an object.</summary>
    public bool PromptVariablesNotObject { get; set; }

    public static RequestScan Invalid(string error) => new() { Error = error };

    /// <summary>A body whose <paramref name="field"/> (null: the body itself) holds more than <paramref name="max"/> items.</summary>
    public static RequestScan TooMany(string? field, int max) => new()
    {
        Error = field is null
            ? $"The request body holds more than {max} keys, the most the gateway reads."
            : $"'{field}' holds more than {max} items, the most the gateway reads.",
        RefusedCode = "too_many_items",
        RefusedParam = field,
    };

    /// <summary>A <c>model</c> longer than <see cref="RequestBodyScanner.MaxModelLength"/>: never looked up, echoed or made a store key.</summary>
    public static RequestScan ModelTooLong() => new()
    {
        Error = $"The model name is longer than {RequestBodyScanner.MaxModelLength} characters, the most the gateway reads.",
        RefusedCode = "string_above_max_length",
        RefusedParam = "model",
    };

    /// <summary>
    /// A <paramref name="field"/> (<c>stream</c>, <c>background</c>) that is not <c>true</c>, <c>false</c> or <c>null</c>.
    /// It is forwarded byte for byte, and a lenient provider reads <c>1</c> or <c>"true"</c> as true, so the gateway
    /// would bill it as false.
    /// </summary>
    public static RequestScan NotABoolean(string field) => new()
    {
        Error = $"Invalid type for '{field}': expected a boolean (or null).",
        RefusedCode = "invalid_type",
        RefusedParam = field,
    };

    /// <summary>A body that gives a top-level key twice; the key is echoed back cut (<see cref="ClientEcho"/>).</summary>
    public static RequestScan Duplicate(string key)
    {
        key = ClientEcho.Cut(key);
        return new() { Error = $"the key '{key}' appears more than once.", DuplicateKey = key };
    }
}
