namespace LlmGateway.Shadow;

/// <summary>
/// Headers of a shadow call (the gateway calling itself). Honoured only with <see cref="ShadowCredential"/>'s secret,
/// which never leaves the process; a client sending them gets nothing from them.
/// </summary>
internal static class ShadowHeaders
{
    /// <summary>The environment whose release's candidate answers the copy.</summary>
    public const string Environment = "X-Gateway-Shadow-Environment";

    /// <summary>The sample id of the stable request the copy was made from: the shadow sample is paired with it.</summary>
    public const string PairedWith = "X-Gateway-Shadow-Of";
}
