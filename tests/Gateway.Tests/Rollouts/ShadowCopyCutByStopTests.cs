using LlmGateway.Shadow;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Tests.Rollouts;

/// <summary>
/// Which shadow copies the gateway's stop cut, and which its own timeout cut while the stable answer took as long: those
/// kept out of the samples, so they never count against the candidate.
/// </summary>
public sealed class ShadowCopyCutByStopTests
{
    [Theory]
    [InlineData(true, true, true, true)] // incomplete, its deadline fired for the stop, aborted: the stop's doing
    [InlineData(false, true, true, false)] // it answered whole before the stop reached it: the candidate's answer
    [InlineData(true, null, true, false)] // aborted, but no deadline fired (the gateway was not stopping)
    [InlineData(true, false, true, false)] // its own timeout fired first: the candidate's slowness
    [InlineData(true, true, false, false)] // incomplete on its own (not aborted) while the gateway stopped
    public void Only_a_copy_the_stop_aborted_before_it_answered_or_timed_out_is_cut_by_the_stop(bool incomplete, bool? firedByStop, bool aborted, bool expected)
    {
        using var abort = new CancellationTokenSource();
        var context = new DefaultHttpContext { RequestAborted = abort.Token };
        var copy = new ShadowCopy("production", "smp_1", 1, 2);
        if (firedByStop is { } byStop)
        {
            copy.DeadlineFired(byStop);
            // Whatever fires later (the stop after the timeout, or the reverse) does not change what ended it.
            copy.DeadlineFired(!byStop);
        }

        if (aborted)
        {
            abort.Cancel();
        }

        Assert.Equal(expected, copy.CutByStop(context, incomplete));
    }

    [Theory]
    [InlineData(true, true, false, true, true)] // its own timeout cut it, and the stable answer took as long: censored
    [InlineData(true, false, false, true, false)] // its own timeout cut it where the stable answer was quicker: the candidate's slowness
    [InlineData(false, true, false, true, false)] // it answered whole: the candidate's answer
    [InlineData(true, true, true, true, false)] // the stop cut it: CutByStop's, not censored
    [InlineData(true, true, null, true, false)] // aborted with no deadline fired
    public void Only_a_copy_its_own_timeout_cut_while_its_stable_answer_took_as_long_is_censored(
        bool incomplete, bool stableOutlastedTimeout, bool? firedByStop, bool aborted, bool expected)
    {
        using var abort = new CancellationTokenSource();
        var context = new DefaultHttpContext { RequestAborted = abort.Token };
        var copy = new ShadowCopy("production", "smp_1", 1, 2, stableOutlastedTimeout);
        if (firedByStop is { } byStop)
        {
            copy.DeadlineFired(byStop);
        }

        if (aborted)
        {
            abort.Cancel();
        }

        Assert.Equal(expected, copy.Censored(context, incomplete));
    }
}
