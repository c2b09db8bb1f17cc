using LlmGateway.Shadow;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Tests.Rollouts;

/// <summary>Which shadow copies the gateway's stop cut: those kept out of the samples, so they never count against the candidate.</summary>
public sealed class ShadowCopyCutByStopTests
{
    [Theory]
    [InlineData(true, true, false, true, true)] // failed, aborted while stopping, within its timeout: the stop's doing
    [InlineData(false, true, false, true, false)] // it answered before the stop reached it: the candidate's answer
    [InlineData(true, false, false, true, false)] // aborted, but the gateway was not stopping
    [InlineData(true, true, true, true, false)] // past its own timeout: the candidate's slowness
    [InlineData(true, true, false, false, false)] // failed on its own (not aborted) while the gateway stopped
    public void Only_a_copy_the_stop_aborted_before_it_answered_or_timed_out_is_cut_by_the_stop(bool failed, bool stopping, bool timedOut, bool aborted, bool expected)
    {
        using var stop = new CancellationTokenSource();
        using var timeout = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        var context = new DefaultHttpContext { RequestAborted = abort.Token };
        var copy = new ShadowCopy("production", "smp_1", stop.Token, timeout.Token);
        if (stopping)
        {
            stop.Cancel();
        }

        if (timedOut)
        {
            timeout.Cancel();
        }

        if (aborted)
        {
            abort.Cancel();
        }

        Assert.Equal(expected, copy.CutByStop(context, failed));
    }
}
