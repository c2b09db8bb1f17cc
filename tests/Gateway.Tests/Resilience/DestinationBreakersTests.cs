using LlmGateway.Resilience;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Model;

namespace LlmGateway.Tests.Resilience;

/// <summary>
/// Which first-byte timeouts an answer excuses: one each, given after the attempt began, in any order of firing, by the
/// same model; and which circuits a failure opens: the model's on the destination, or the destination's own.
/// </summary>
public sealed class DestinationBreakersTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void An_answer_excuses_one_timeout_of_an_attempt_that_began_before_it()
    {
        var breakers = new DestinationBreakers(_time);
        breakers.Succeeded("c", "d", "m");
        _time.Advance(TimeSpan.FromSeconds(1));
        var started = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(1));
        breakers.Succeeded("c", "d", "m");

        Assert.True(breakers.TryExcuse("c", "d", "m", started));
        Assert.False(breakers.TryExcuse("c", "d", "m", started));
    }

    [Fact]
    public void A_later_attempt_timing_out_first_leaves_the_earlier_answer_to_the_earlier_attempt()
    {
        // Timeouts are per model: attempt L (long timeout) began before S (short), and S fires first. A single
        // watermark spent the answer between them and left L none.
        var breakers = new DestinationBreakers(_time);
        var longStarted = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(50));
        breakers.Succeeded("c", "d", "m");
        _time.Advance(TimeSpan.FromSeconds(50));
        var shortStarted = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(5));
        breakers.Succeeded("c", "d", "m");

        Assert.True(breakers.TryExcuse("c", "d", "m", shortStarted));
        Assert.True(breakers.TryExcuse("c", "d", "m", longStarted));
        Assert.False(breakers.TryExcuse("c", "d", "m", longStarted));
    }

    [Fact]
    public void A_refusal_below_the_provider_resets_failures_but_excuses_nothing()
    {
        var breakers = new DestinationBreakers(_time);
        var started = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(1));
        breakers.Succeeded("c", "d", "m", answered: false);

        Assert.False(breakers.TryExcuse("c", "d", "m", started));
    }

    [Fact]
    public void Another_models_answers_excuse_nothing()
    {
        // A hung deployment of one model: the provider's other models answering says nothing of it.
        var breakers = new DestinationBreakers(_time);
        var started = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(1));
        breakers.Succeeded("c", "d", "other");

        Assert.False(breakers.TryExcuse("c", "d", "m", started));
    }

    [Fact]
    public void A_models_open_circuit_leaves_the_destination_to_the_other_models_until_it_closes()
    {
        var breakers = new DestinationBreakers(_time);
        var cluster = Cluster("c", "d1", "d2");

        Assert.True(breakers.Failed("c", "d1", "m", threshold: 1, TimeSpan.FromSeconds(30), responded: true));

        Assert.Equal(["d2"], breakers.AvailableFor(cluster, "m").Select(d => d.DestinationId));
        Assert.Same(cluster.DestinationsState.AvailableDestinations, breakers.AvailableFor(cluster, "other"));
        Assert.Null(breakers.RetryAfter("c", "other"));
        Assert.Equal(TimeSpan.FromSeconds(30), breakers.RetryAfter("c", "m"));

        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Same(cluster.DestinationsState.AvailableDestinations, breakers.AvailableFor(cluster, "m"));
        Assert.Null(breakers.RetryAfter("c", "m"));
    }

    [Fact]
    public void A_model_is_back_when_both_its_circuit_and_the_destinations_have_closed()
    {
        var breakers = new DestinationBreakers(_time);
        breakers.Failed("c", "d", "m", threshold: 1, TimeSpan.FromSeconds(10), responded: true);
        breakers.Failed("c", "d", threshold: 1, TimeSpan.FromSeconds(40));

        Assert.Equal(TimeSpan.FromSeconds(40), breakers.RetryAfter("c", "m"));
        Assert.Equal(TimeSpan.FromSeconds(40), breakers.RetryAfter("c", "other"));
    }

    [Fact]
    public void A_response_resets_the_destinations_connection_failures_and_no_response_resets_nothing()
    {
        var breakers = new DestinationBreakers(_time);
        Assert.False(breakers.Failed("c", "d", threshold: 2, TimeSpan.FromSeconds(10)));
        // A 429 reached the deployment: its connection failures start again.
        Assert.False(breakers.Failed("c", "d", "m", threshold: 2, TimeSpan.FromSeconds(10), responded: true));
        Assert.False(breakers.Failed("c", "d", threshold: 2, TimeSpan.FromSeconds(10)));
        // A model's timeout is no response: the count goes on.
        Assert.False(breakers.Failed("c", "d", "m", threshold: 3, TimeSpan.FromSeconds(10), responded: false));
        Assert.True(breakers.Failed("c", "d", threshold: 2, TimeSpan.FromSeconds(10)));
    }

    private static ClusterState Cluster(string id, params string[] destinations)
    {
        var states = destinations.Select(d => new DestinationState(d)).ToArray();
        return new ClusterState(id) { DestinationsState = new ClusterDestinationsState(states, states) };
    }
}
