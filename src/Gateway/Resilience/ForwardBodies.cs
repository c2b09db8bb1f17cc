using LlmGateway.Proxy;
using LlmGateway.Providers;
using LlmGateway.Rewriting;

namespace LlmGateway.Resilience;

/// <summary>
/// The upstream body for each model a request may be sent to: the first model's is built before
/// forwarding; a fallback's is spliced or rewritten from the client's body (scanned once) only if
/// it is needed.
/// </summary>
internal sealed class ForwardBodies(
    PooledBuffer clientBody,
    RequestScan scan,
    CatalogModel first,
    PooledBuffer firstBody,
    PreparedBundle? bundle,
    IReadOnlyList<string>? rendered,
    bool injectUsage) : IDisposable
{
    private List<(CatalogModel Model, PooledBuffer Body)>? _fallbacks;

    public PooledBuffer For(CatalogModel model)
    {
        if (model == first)
        {
            return firstBody;
        }

        _fallbacks ??= [];
        foreach (var (known, body) in _fallbacks)
        {
            if (known == model)
            {
                return body;
            }
        }

        var built = new PooledBuffer(clientBody.Length + model.UpstreamModelJson.Length + 1024);
        if (bundle is not null)
        {
            // Validated against the first model already; only the model token differs.
            ChatRequestRewriter.Rewrite(clientBody.WrittenSpan, scan, bundle, rendered!, built, injectUsage, model);
        }
        else if (injectUsage)
        {
            PlainRequestRewriter.Rewrite(clientBody.WrittenSpan, scan, model.UpstreamModelJson.Span, injectUsage: true, built);
        }
        else
        {
            ModelSplicer.Splice(clientBody.WrittenSpan, scan, model.UpstreamModelJson.Span, built);
        }

        _fallbacks.Add((model, built));
        return built;
    }

    public void Dispose()
    {
        foreach (var (_, body) in _fallbacks ?? [])
        {
            body.Dispose();
        }
    }
}
