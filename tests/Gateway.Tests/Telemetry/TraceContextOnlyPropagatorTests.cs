using System.Diagnostics;
using LlmGateway.Telemetry;

namespace LlmGateway.Tests.Telemetry;

public sealed class TraceContextOnlyPropagatorTests
{
    [Theory]
    [InlineData(10, true)]
    [InlineData(TraceContextOnlyPropagator.MaxTraceStateLength, true)]
    [InlineData(TraceContextOnlyPropagator.MaxTraceStateLength + 1, false)]
    public void Writes_traceparent_and_a_capped_tracestate_and_never_baggage(int stateLength, bool stateWritten)
    {
        using var activity = new Activity("upstream");
        activity.SetIdFormat(ActivityIdFormat.W3C);
        activity.AddBaggage("user.id", "alice");
        activity.Start();
        activity.TraceStateString = "v=" + new string('a', stateLength - 2);
        var written = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

        TraceContextOnlyPropagator.Instance.Inject(activity, written, static (carrier, name, value) => ((Dictionary<string, string?>)carrier!)[name] = value);

        Assert.Equal(activity.Id, written["traceparent"]);
        Assert.Equal(stateWritten, written.ContainsKey("tracestate"));
        Assert.Equal(stateWritten ? 2 : 1, written.Count);
        Assert.Null(TraceContextOnlyPropagator.Instance.ExtractBaggage(null, static (object? _, string _, out string? value, out IEnumerable<string>? values) =>
        {
            value = "user.id=alice";
            values = null;
        }));
    }
}
