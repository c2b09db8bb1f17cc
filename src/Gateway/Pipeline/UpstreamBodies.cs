using LlmGateway.Budgets;
using LlmGateway.Errors;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Rewriting;

namespace LlmGateway.Pipeline;

/// <summary>
/// The one place that chooses what is sent upstream: the client's body as is, spliced with the
/// provider's model name, with <c>stream_options.include_usage</c> (or a budget's <c>max_tool_calls</c> or output cap) added,
/// or rewritten from a prompt bundle. The first model's body is built (and validated) by the routing stage; a
/// fallback's is built from the same scan only if a fallback is tried.
/// </summary>
internal sealed class UpstreamBodies : IDisposable
{
    private readonly PooledBuffer _client;
    private readonly RequestScan _scan;
    private readonly PreparedBundle? _bundle;
    private readonly IReadOnlyList<string>? _rendered;
    private readonly bool _injectUsage;
    private readonly int? _maxToolCalls;
    private readonly OutputCap? _outputCap;
    private readonly CatalogModel _first;
    private List<(CatalogModel Model, PooledBuffer Body)>? _fallbacks;

    private UpstreamBodies(PooledBuffer client, RequestScan scan, CatalogModel first, PreparedBundle? bundle, IReadOnlyList<string>? rendered, bool injectUsage, int? maxToolCalls, OutputCap? outputCap)
    {
        _maxToolCalls = maxToolCalls;
        _outputCap = outputCap;
        _client = client;
        _scan = scan;
        _first = first;
        _bundle = bundle;
        _rendered = rendered;
        _injectUsage = injectUsage;
        First = client;
    }

    /// <summary>The body for the model the request was routed to.</summary>
    public PooledBuffer First { get; private set; }

    /// <summary>The first body differs from the client's (renamed, usage injected or rewritten).</summary>
    public bool Rewritten => !ReferenceEquals(First, _client);

    /// <summary>Builds the first model's body; a bundle that cannot apply to this request is an error.</summary>
    /// <param name="maxToolCalls">A plain request's <c>max_tool_calls</c> to set (it has none): the bound its reservation counted.</param>
    /// <param name="outputCap">
    /// The output cap its reservation counted, for a request that sets none (a limited key's): written for each model
    /// whose provider would not stop it there (<see cref="OutputCap.For"/>), at most at that model's own limit.
    /// </param>
    public static (UpstreamBodies? Bodies, GatewayError? Error) Create(
        PooledBuffer client, RequestScan scan, CatalogModel model, PreparedBundle? bundle, IReadOnlyList<string>? rendered, bool injectUsage, int? maxToolCalls = null, OutputCap? outputCap = null)
    {
        var bodies = new UpstreamBodies(client, scan, model, bundle, rendered, injectUsage, maxToolCalls, outputCap);
        var (first, error) = bodies.Build(model);
        if (error is not null)
        {
            return (null, error);
        }

        bodies.First = first!;
        return (bodies, null);
    }

    /// <summary>
    /// The bodies of a request refused before any was built (<see cref="ExchangeResult.Refused"/>): the client's body
    /// only, so its exchange can be counted and sampled; nothing to give back.
    /// </summary>
    public static UpstreamBodies Unsent(PooledBuffer client, RequestScan scan, CatalogModel model) =>
        new(client, scan, model, bundle: null, rendered: null, injectUsage: false, maxToolCalls: null, outputCap: null);

    public PooledBuffer For(CatalogModel model)
    {
        if (model == _first)
        {
            return First;
        }

        _fallbacks ??= [];
        foreach (var (known, body) in _fallbacks)
        {
            if (known == model)
            {
                return body;
            }
        }

        // Validated against the first model already: only the model token differs.
        var built = Build(model).Body!;
        _fallbacks.Add((model, built));
        return built;
    }

    /// <summary>
    /// Gives the pooled bodies back, where the request ends: the forward stage, or the budget stage refusing it. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (Rewritten)
        {
            First.Dispose();
        }

        foreach (var (_, body) in _fallbacks ?? [])
        {
            if (!ReferenceEquals(body, _client))
            {
                body.Dispose();
            }
        }
    }

    private (PooledBuffer? Body, GatewayError? Error) Build(CatalogModel model)
    {
        // Decided per model: a fallback may be on a provider of another kind, or have a lower limit.
        var outputCap = _outputCap?.For(model);
        if (_bundle is not null)
        {
            var rewritten = new PooledBuffer(_client.Length + model.UpstreamModelJson.Length + 1024);
            if (ChatRequestRewriter.Rewrite(_client.WrittenSpan, _scan, _bundle, _rendered!, rewritten, _injectUsage, model, outputCap) is { } error)
            {
                rewritten.Dispose();
                return (null, error);
            }

            return (rewritten, null);
        }

        if (_injectUsage || _maxToolCalls is not null || outputCap is not null)
        {
            var rewritten = new PooledBuffer(_client.Length + model.UpstreamModelJson.Length + 96);
            PlainRequestRewriter.Rewrite(_client.WrittenSpan, _scan, model.UpstreamModelJson.Span, _injectUsage, rewritten, _maxToolCalls, outputCap);
            return (rewritten, null);
        }

        // A fallback always gets its own name: the client's body names the model it asked for.
        if (model.NeedsRename || model != _first)
        {
            var renamed = new PooledBuffer(_client.Length + model.UpstreamModelJson.Length);
            ModelSplicer.Splice(_client.WrittenSpan, _scan, model.UpstreamModelJson.Span, renamed);
            return (renamed, null);
        }

        return (_client, null);
    }
}
