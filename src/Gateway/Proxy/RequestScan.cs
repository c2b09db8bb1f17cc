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

    /// <summary>The body, or a field of it, holds more items than the gateway reads (the body is then invalid).</summary>
    public bool TooManyItems { get; init; }

    /// <summary>That field (null: the body's own keys).</summary>
    public string? TooManyIn { get; init; }

    /// <summary>
    /// The answer to an invalid body: a duplicate key names itself as <c>param</c>, as does a field with too many items;
    /// anything else is invalid JSON.
    /// </summary>
    public GatewayError Refusal => DuplicateKey is { } key
        ? GatewayError.InvalidRequest($"The request body holds the key '{key}' more than once; send each key once.", key, "duplicate_key")
        : TooManyItems ? GatewayError.InvalidRequest(Error!, TooManyIn, "too_many_items")
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
        TooManyItems = true,
        TooManyIn = field,
    };

    /// <summary>A body that gives a top-level key twice; the key is echoed back cut to 256 characters.</summary>
    public static RequestScan Duplicate(string key)
    {
        key = key.Length > 256 ? key[..256] : key;
        return new() { Error = $"the key '{key}' appears more than once.", DuplicateKey = key };
    }
}
