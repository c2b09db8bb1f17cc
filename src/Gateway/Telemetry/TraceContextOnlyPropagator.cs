using System.Diagnostics;

namespace LlmGateway.Telemetry;

/// <summary>
/// The trace context written on a call to a provider: the Activity's W3C <c>traceparent</c> and a <c>tracestate</c> of
/// W3C's 512 characters at most, never baggage. .NET's default propagator also writes the Activity's baggage, which
/// ASP.NET Core copies from a client's <c>baggage</c> or <c>Correlation-Context</c>: a client header the provider's
/// allow-list never let through.
/// </summary>
internal sealed class TraceContextOnlyPropagator : DistributedContextPropagator
{
    /// <summary>W3C's limit of a <c>tracestate</c>; a longer one is dropped, not cut.</summary>
    internal const int MaxTraceStateLength = 512;

    private const string TraceParent = "traceparent";
    private const string TraceState = "tracestate";

    public static readonly TraceContextOnlyPropagator Instance = new();

    private static readonly string[] HeaderNames = [TraceParent, TraceState];

    private TraceContextOnlyPropagator()
    {
    }

    public override IReadOnlyCollection<string> Fields => HeaderNames;

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
        if (activity is null || setter is null || activity.IdFormat != ActivityIdFormat.W3C || activity.Id is not { } id)
        {
            return;
        }

        setter(carrier, TraceParent, id);
        if (activity.TraceStateString is { Length: > 0 and <= MaxTraceStateLength } state)
        {
            setter(carrier, TraceState, state);
        }
    }

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState)
    {
        traceId = null;
        traceState = null;
        if (getter is null)
        {
            return;
        }

        getter(carrier, TraceParent, out traceId, out _);
        getter(carrier, TraceState, out var state, out _);
        traceState = state is { Length: <= MaxTraceStateLength } ? state : null;
    }

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) => null;
}
