namespace LlmGateway.Cli.Tests.Rollouts;

/// <summary>Canned <c>RolloutView</c> answers: a four-step rollout of v4 against v3, at three moments.</summary>
internal static class RolloutViews
{
    /// <summary>When the status tests look: 5 min 12 s into the second step.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 29, 13, 10, 12, TimeSpan.Zero);

    private const string Plan = """
        {"steps":[{"shadow":true,"share":0.1,"min_duration":"10m"},{"weight":5,"min_duration":"5m","min_samples":200},{"weight":25},{"weight":100}],
         "metrics":[{"metric":"error","direction":"lower","threshold":0.02},
                    {"metric":"latency_ms","direction":"lower","threshold":0.2,"relative":true,"abort":false}],
         "on_inconclusive":"pause"}
        """;

    /// <summary>Step 2 of 4 at 5%, both metrics short of a conclusion or fine.</summary>
    public static readonly string Running = $$"""
        {"prompt":"support-bot","environment":"production","candidate":4,"baseline":3,"status":"running","status_reason":null,
         "step":1,"step_started_at":"2026-11-29T13:05:00Z","weight":5,"started_at":"2026-11-29T12:40:00Z","started_by":"alice",
         "reason":"shorter apologies","plan":{{Plan}},
         "last_evaluation":{"at":"2026-11-29T13:10:00Z","decision":"continue","reason":"min_samples not reached",
          "metrics":[
           {"metric":"error","stable":{"count":1200,"mean":0.012},"canary":{"count":130,"mean":0.0154},
            "difference":0.0034,"ci_low":-0.008,"ci_high":0.0148,"statistic":0.6,"threshold":0.02,"relative":false,"verdict":"inconclusive"},
           {"metric":"latency_ms","stable":{"count":1200,"mean":812.4},"canary":{"count":130,"mean":905.1},
            "difference":0.1141,"ci_low":0.021,"ci_high":0.178,"statistic":2.2,"threshold":0.2,"relative":true,"verdict":"acceptable"}]},
         "revision":7,"updated_at":"2026-11-29T13:10:00Z"}
        """;

    /// <summary>Step 2 of 4, paused on its p95 latency: the arms read their quantile (no mean), the interval open above.</summary>
    public static readonly string PausedOnP95 = $$"""
        {"prompt":"support-bot","environment":"production","candidate":4,"baseline":3,"status":"paused",
         "status_reason":"latency_ms.p95 is harmful and may only pause",
         "step":1,"step_started_at":"2026-11-29T13:05:00Z","weight":5,"started_at":"2026-11-29T12:40:00Z","started_by":"alice",
         "plan":{{Plan}},
         "last_evaluation":{"at":"2026-11-29T13:10:00Z","decision":"pause","reason":"latency_ms.p95 is harmful",
          "metrics":[
           {"metric":"latency_ms.p95","stable":{"count":1200,"mean":null,"quantile":1812.5},"canary":{"count":130,"mean":null,"quantile":2900},
            "difference":0.6,"ci_low":0.25,"ci_high":null,"statistic":null,"threshold":0.2,"relative":true,"verdict":"harmful"}]},
         "revision":8,"updated_at":"2026-11-29T13:10:00Z"}
        """;

    /// <summary>Held in the shadow step for a human: latency is proven worse, and that metric only pauses.</summary>
    public static readonly string Paused = $$"""
        {"prompt":"support-bot","environment":"production","candidate":4,"baseline":3,"status":"paused",
         "status_reason":"latency_ms is harmful and may only pause",
         "step":0,"step_started_at":"2026-11-29T12:40:00Z","weight":0,"started_at":"2026-11-29T12:40:00Z","started_by":"alice",
         "plan":{{Plan}},
         "last_evaluation":{"at":"2026-11-29T12:55:00Z","decision":"pause","reason":"latency_ms is harmful",
          "metrics":[
           {"metric":"latency_ms","stable":{"count":900,"mean":800},"canary":{"count":90,"mean":1100},
            "difference":0.375,"ci_low":0.25,"ci_high":0.5,"statistic":4.1,"threshold":0.2,"relative":true,"verdict":"harmful"}]},
         "revision":3,"updated_at":"2026-11-29T12:55:00Z"}
        """;

    /// <summary>Aborted in step 3 on proven errors, with the evidence that did it.</summary>
    public static readonly string Aborted = $$"""
        {"prompt":"support-bot","environment":"production","candidate":4,"baseline":3,"status":"aborted",
         "status_reason":"error is harmful: +0.031 over a threshold of 0.02",
         "step":2,"step_started_at":"2026-11-29T13:15:00Z","weight":25,"started_at":"2026-11-29T12:40:00Z","started_by":"alice",
         "plan":{{Plan}},
         "last_evaluation":{"at":"2026-11-29T13:21:30Z","decision":"abort","reason":"error is harmful",
          "metrics":[
           {"metric":"error","stable":{"count":3000,"mean":0.011},"canary":{"count":1000,"mean":0.042},
            "difference":0.031,"ci_low":0.021,"ci_high":0.041,"statistic":7.9,"threshold":0.02,"relative":false,"verdict":"harmful"},
           {"metric":"latency_ms","stable":{"count":3000,"mean":810},"canary":{"count":0,"mean":null},
            "difference":null,"ci_low":null,"ci_high":null,"statistic":null,"threshold":0.2,"relative":true,"verdict":"inconclusive"}]},
         "revision":12,"updated_at":"2026-11-29T13:21:30Z"}
        """;
}
