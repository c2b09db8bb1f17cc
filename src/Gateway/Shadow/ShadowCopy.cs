namespace LlmGateway.Shadow;

/// <summary>
/// The mark of a shadow copy: a request feature the dispatcher sets on the in-process exchange it runs the copy on.
/// Only code in this process can set a feature, so no request from the network can claim to be a copy, whatever it sends.
/// </summary>
/// <param name="Environment">The release's environment: its candidate answers the copy, and its shadow budget pays.</param>
/// <param name="PairedWith">The stable request's sample id: the copy's sample is paired with it.</param>
/// <param name="Stopping">The gateway's stop, which aborts the copies still running.</param>
/// <param name="TimedOut">The copy's own <see cref="ShadowOptions.Timeout"/>, which aborts it too.</param>
internal sealed record ShadowCopy(string Environment, string PairedWith, CancellationToken Stopping, CancellationToken TimedOut)
{
    /// <summary>
    /// True when the gateway's stop cut the copy (it failed, aborted, while the gateway stopped and before its own
    /// timeout): billed (the provider may charge for it), but not sampled, since its error says nothing about the
    /// candidate and would pair against a stable answer no stop cut. A copy past its timeout is the candidate's own
    /// slowness, and a copy that answered is the candidate's answer: both are sampled.
    /// </summary>
    public bool CutByStop(HttpContext context, bool failed) =>
        failed && Stopping.IsCancellationRequested && !TimedOut.IsCancellationRequested && context.RequestAborted.IsCancellationRequested;
}
