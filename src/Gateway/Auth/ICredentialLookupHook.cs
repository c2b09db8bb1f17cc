namespace LlmGateway.Auth;

/// <summary>
/// A seam between reading a credential from the store and caching it: where a revocation can race
/// a lookup. Nothing implements it in the gateway; tests register one to hold a lookup at that
/// point and revoke the credential meanwhile.
/// </summary>
internal interface ICredentialLookupHook
{
    /// <summary>Called after the store answered for <paramref name="secretHash"/> and before the answer is cached.</summary>
    ValueTask AfterStoreReadAsync(string secretHash);
}
