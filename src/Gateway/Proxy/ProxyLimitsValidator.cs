using Microsoft.Extensions.Options;

namespace LlmGateway.Proxy;

/// <summary>The limits that bound each other, beyond each one's own range (<see cref="ProxyOptionsValidator"/>).</summary>
internal sealed class ProxyLimitsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options) =>
        options.MaxProviderLineBytes > options.MaxRequestBodyBytes
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{ProxyOptions.SectionName}:MaxProviderLineBytes ({options.MaxProviderLineBytes}) must exceed {ProxyOptions.SectionName}:MaxRequestBodyBytes ({options.MaxRequestBodyBytes}): "
                + "a Responses stream's lifecycle events echo the request (its instructions and tools) on one line, and a legitimate request would have its stream ended.");
}
