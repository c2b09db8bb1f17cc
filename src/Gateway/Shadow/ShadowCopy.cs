namespace LlmGateway.Shadow;

/// <summary>
/// The mark of a shadow copy: a request feature the dispatcher sets on the in-process exchange it runs the copy on.
/// Only code in this process can set a feature, so no request from the network can claim to be a copy, whatever it sends.
/// </summary>
/// <param name="Environment">The release's environment: its candidate answers the copy, and its shadow budget pays.</param>
/// <param name="PairedWith">The stable request's sample id: the copy's sample is paired with it.</param>
internal sealed record ShadowCopy(string Environment, string PairedWith);
