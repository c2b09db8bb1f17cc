using LlmGateway.Proxy;

namespace LlmGateway.Shadow;

/// <summary>A copy of one stable request, waiting to be answered by the candidate: the client's own body, as it arrived.</summary>
/// <param name="RequestId">The stable request's id (the copy goes out as <see cref="CopyRequestId"/>).</param>
/// <param name="Scheme">The scheme the client's request came in on.</param>
/// <param name="Host">The client's <c>Host</c> header (it passed the gateway's host filtering once).</param>
/// <param name="Endpoint">The OpenAI path the client called.</param>
/// <param name="Query">The client's query string (with its <c>?</c>), or empty.</param>
/// <param name="Environment">The release's environment.</param>
/// <param name="PairedWith">The stable request's sample id.</param>
/// <param name="StableVersion">The version that answered the stable request: the copy pairs with that answer.</param>
/// <param name="CandidateVersion">The candidate the copy was made for.</param>
/// <param name="StableDuration">How long the stable request took, to its answer's end.</param>
/// <param name="Body">The client's body.</param>
/// <param name="Headers">The client's headers its provider was allowed to see (<c>OpenAI-Beta</c>, configured names), content headers aside.</param>
/// <param name="QueuedBytes">What it counts against <c>Gateway:Shadow:MaxQueuedBytes</c> while it waits: body, headers, host and query.</param>
internal sealed record ShadowCall(string RequestId, string Scheme, string Host, string Endpoint, string Query, string Environment, string PairedWith, int StableVersion, int CandidateVersion, TimeSpan StableDuration, byte[] Body, IHeaderDictionary Headers, int QueuedBytes)
{
    private const string Suffix = ".shadow";

    /// <summary>
    /// <c>{id}.shadow</c>, the client's id cut so the whole stays within the 128 characters a request id may have: a
    /// longer one would be refused when the copy is admitted and replaced by an unrelated id, and the copy's logs,
    /// span and sample could not be found from the client's.
    /// </summary>
    public string CopyRequestId =>
        string.Concat(RequestId.AsSpan(0, Math.Min(RequestId.Length, RequestIds.MaxLength - Suffix.Length)), Suffix);
}
