namespace LlmGateway.LoadTests.Reporting;

/// <summary>
/// One release flip under load.
/// </summary>
/// <param name="AtSeconds">When the flip was issued, in seconds after the load started.</param>
/// <param name="ToVersion">The version every request should get after it.</param>
/// <param name="FlipCallMs">How long the admin call (or the raw SET) itself took.</param>
/// <param name="PropagationMs">
/// From issuing the flip to the send time of the last request that was still served the old version; 0 when none
/// was. Null when no request got the new version before the next flip (it never propagated).
/// </param>
/// <param name="RequestsAfter">Requests sent between this flip and the next.</param>
/// <param name="StaleAfter">Of those, how many were served the old version.</param>
internal sealed record FlipResult(double AtSeconds, int ToVersion, double FlipCallMs, double? PropagationMs, int RequestsAfter, int StaleAfter);
