using Microsoft.Extensions.Options;

namespace LlmGateway.Proxy;

[OptionsValidator]
internal sealed partial class ProxyOptionsValidator : IValidateOptions<ProxyOptions>;
