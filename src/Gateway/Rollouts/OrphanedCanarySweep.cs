using LlmGateway.Contracts.Releases;
using LlmGateway.Releases;

namespace LlmGateway.Rollouts;

/// <summary>
/// Withdraws a canary a rollout start left behind with nothing judging it. A start writes the release (the canary, with
/// the plan's sampling rates as <c>rollout_sampling</c>, which a canary started by hand never has), then the rollout;
/// when the rollout's write fails and so does the start's own withdrawal (the store failing both), the canary serves
/// users with no rollout, and no controller ever looks at it. Every instance sweeps after its controller's round: a
/// release whose canary carries rollout sampling, changed at least <see cref="Grace"/> ago (a start in progress has its
/// rollout written by then), whose prompt has no active rollout of that canary, has it withdrawn by compare-and-swap on
/// the revision it read (a concurrent sweep or an operator's change wins; the loser changes nothing).
/// </summary>
internal sealed class OrphanedCanarySweep(
    ReleaseSnapshotProvider snapshots, RolloutStore rollouts, ReleaseService releases, TimeProvider time, ILogger<OrphanedCanarySweep> logger)
{
    // Long against a start's two writes (milliseconds apart), and against clocks of two instances that disagree.
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);

    /// <summary>Withdraws every orphaned rollout canary the snapshot shows; returns how many. One release's failure costs that release alone.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var withdrawn = 0;
        var cutOff = time.GetUtcNow() - Grace;
        foreach (var active in snapshots.Current.Releases)
        {
            var record = active.Record;
            if (record.Canary is not { } canary || record.RolloutSampling is null || record.UpdatedAt is not { } updated || updated > cutOff)
            {
                continue;
            }

            try
            {
                if (await rollouts.GetAsync(active.Prompt, active.Environment) is { } rollout && RolloutStatuses.IsActive(rollout.Status) && rollout.Candidate == canary)
                {
                    continue;
                }

                var change = new ReleaseChange(
                    ActivationActions.Abort, null, null,
                    $"v{canary} was left as a rollout's canary with no rollout judging it (its start failed part-way): withdrawn", record.Revision, null);
                var (_, refusal) = await releases.ApplyAsync(active.Prompt, active.Environment, change, RolloutController.Actor, cancellationToken);
                if (refusal is null)
                {
                    withdrawn++;
                    RolloutLog.OrphanWithdrawn(logger, active.Prompt, active.Environment, canary);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                RolloutLog.RoundFailed(logger, ex.GetType().Name, ex);
            }
        }

        return withdrawn;
    }
}
