using Microsoft.Extensions.Configuration;
using System.Diagnostics.Metrics;
using LlmGateway.Behaviour;
using Microsoft.Extensions.DependencyInjection;

namespace LlmGateway.Tests.Behaviour.Unit;

/// <summary>The evaluation readings' instruments keep environments apart: staging's readings of a version are not production's.</summary>
public sealed class BehaviourMetricsTests
{
    [Fact]
    public void Readings_and_pass_ratios_are_tagged_with_their_environment()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var metrics = new BehaviourMetrics(factory);
        var scores = new List<string?>();
        var ratios = new List<(string? Environment, double Ratio)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name is "gateway.eval.score" or "gateway.eval.pass_ratio")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            string? environment = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "environment")
                {
                    environment = tag.Value as string;
                }
            }

            if (instrument.Name == "gateway.eval.score")
            {
                scores.Add(environment);
            }
            else
            {
                ratios.Add((environment, value));
            }
        });
        listener.Start();

        metrics.Record(new ScoredSample("a", "bot", "staging", 1, "stable", 1, [MetricObservation.Event("refusal", happened: true)]));
        metrics.Record(new ScoredSample("b", "bot", "production", 1, "stable", 1, [MetricObservation.Event("refusal", happened: false)]));
        listener.RecordObservableInstruments();

        Assert.Equal(["staging", "production"], scores);
        Assert.Equal(2, ratios.Count);
        Assert.NotEqual(ratios[0].Ratio, ratios[1].Ratio);
        Assert.Equal(["production", "staging"], ratios.Select(r => r.Environment).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Pass_ratio_series_stay_bounded_dropping_the_least_recently_counted()
    {
        // Every version ever scored added a series, kept and exported for the life of the process.
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new BehaviourMetrics(services.GetRequiredService<IMeterFactory>());
        metrics.Record(new ScoredSample("s0", "bot", "production", 1, "stable", 1, [MetricObservation.Event("refusal", happened: false)]));

        for (var version = 2; version <= LlmGateway.Telemetry.TelemetryExtensions.DefaultMaxSeriesPerMetric + 50; version++)
        {
            metrics.Record(new ScoredSample($"s{version}", "bot", "production", version, "stable", 1, [MetricObservation.Event("refusal", happened: false)]));

            // Version 1 keeps being counted: it is never the least recent.
            metrics.Record(new ScoredSample($"t{version}", "bot", "production", 1, "stable", 1, [MetricObservation.Event("refusal", happened: true)]));
        }

        var ratios = new List<(int Version, double Ratio)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "gateway.eval.pass_ratio" && ReferenceEquals(instrument.Meter.Scope, services.GetRequiredService<IMeterFactory>()))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "version")
                {
                    ratios.Add(((int)tag.Value!, value));
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(LlmGateway.Telemetry.TelemetryExtensions.DefaultMaxSeriesPerMetric, metrics.PassSeries);
        Assert.Equal(LlmGateway.Telemetry.TelemetryExtensions.DefaultMaxSeriesPerMetric, ratios.Count);
        Assert.Contains(ratios, r => r.Version == 1);
        Assert.Contains(ratios, r => r.Version == LlmGateway.Telemetry.TelemetryExtensions.DefaultMaxSeriesPerMetric + 50);
        Assert.DoesNotContain(ratios, r => r.Version == 2);
    }

    [Fact]
    public void The_pass_ratio_series_follow_the_configured_series_limit()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:Telemetry:MaxSeriesPerMetric"] = "10" })
            .Build();
        var metrics = new BehaviourMetrics(services.GetRequiredService<IMeterFactory>(), configuration);

        for (var version = 1; version <= 15; version++)
        {
            metrics.Record(new ScoredSample($"s{version}", "bot", "production", version, "stable", 1, [MetricObservation.Event("refusal", happened: false)]));
        }

        Assert.Equal(10, metrics.PassSeries);
    }
}
