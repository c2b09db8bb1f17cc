namespace LlmGateway.Shadow;

/// <summary>
/// The mark of a shadow copy: a request feature the dispatcher sets on the in-process exchange it runs the copy on.
/// Only code in this process can set a feature, so no request from the network can claim to be a copy, whatever it sends.
/// </summary>
/// <param name="environment">The release's environment: its candidate answers the copy, and its shadow budget pays.</param>
/// <param name="pairedWith">The stable request's sample id: the copy's sample is paired with it.</param>
/// <param name="stableVersion">The version that answered the stable request the copy pairs with.</param>
/// <param name="candidateVersion">The candidate the copy was made for.</param>
/// <param name="stableOutlastedTimeout">
/// The stable request took at least <see cref="ShadowOptions.Timeout"/> itself: a copy cut at that timeout is censored,
/// not the candidate's failure.
/// </param>
internal sealed class ShadowCopy(string environment, string pairedWith, int stableVersion, int candidateVersion, bool stableOutlastedTimeout = false)
{
    private int _endedByStop;
    private int _answeredWhole;

    /// <summary>The release's environment: its candidate answers the copy, and its shadow budget pays.</summary>
    public string Environment { get; } = environment;

    /// <summary>The stable request's sample id: the copy's sample is paired with it.</summary>
    public string PairedWith { get; } = pairedWith;

    /// <summary>
    /// The version that answered the stable request: a copy is served only while the release's stable version and
    /// candidate are still the ones it was made for, so it is never paired against another stable version's answer.
    /// </summary>
    public int StableVersion { get; } = stableVersion;

    /// <summary>The candidate the copy was made for.</summary>
    public int CandidateVersion { get; } = candidateVersion;

    /// <summary>The stable request took at least <see cref="ShadowOptions.Timeout"/> itself (its answer was allowed longer).</summary>
    public bool StableOutlastedTimeout { get; } = stableOutlastedTimeout;

    /// <summary>
    /// True once the pipeline found the copy answered whole (<see cref="ShadowPrincipal.Ended"/>): the one decision both
    /// its sample and the dispatcher's count read.
    /// </summary>
    public bool AnsweredWhole => Volatile.Read(ref _answeredWhole) == 1;

    /// <summary>Set by the pipeline when the copy's exchange ends, from its result.</summary>
    public void Ended(bool incomplete) => Volatile.Write(ref _answeredWhole, incomplete ? -1 : 1);

    /// <summary>
    /// Called by the dispatcher when the copy's deadline fires, with what fired it, read at that moment: the gateway's
    /// stop, or the copy's own <see cref="ShadowOptions.Timeout"/> (a stop that comes later does not change it).
    /// </summary>
    public void DeadlineFired(bool byStop) => Interlocked.CompareExchange(ref _endedByStop, byStop ? 1 : -1, 0);

    /// <summary>
    /// True when the gateway's stop cut the copy (its deadline fired for the stop, the request was aborted, and it did
    /// not answer whole): billed (the provider may charge for it), but not sampled, since its error says nothing about
    /// the candidate and would pair against a stable answer no stop cut. A copy past its own timeout is the
    /// candidate's slowness (unless it is <see cref="Censored"/>), and a copy that answered whole is the candidate's
    /// answer: both are sampled.
    /// </summary>
    public bool CutByStop(HttpContext context, bool incomplete) =>
        incomplete && Volatile.Read(ref _endedByStop) == 1 && context.RequestAborted.IsCancellationRequested;

    /// <summary>
    /// True when the copy's own timeout cut it (it did not answer whole) while the stable answer it copies took at least
    /// that long itself: the stable path allows a request its model's whole <c>TotalTimeoutMs</c>, the copy only
    /// <see cref="ShadowOptions.Timeout"/>, so the cut says nothing about the candidate (an identical one is cut too).
    /// Counted (<c>censored</c>), not sampled: paired, it would count as the candidate's error against a stable answer
    /// that succeeded.
    /// </summary>
    public bool Censored(HttpContext context, bool incomplete) =>
        incomplete && StableOutlastedTimeout && Volatile.Read(ref _endedByStop) == -1 && context.RequestAborted.IsCancellationRequested;
}
