using Microsoft.Extensions.Options;

namespace LlmGateway.Sampling;

[OptionsValidator]
internal sealed partial class SamplingOptionsValidator : IValidateOptions<SamplingOptions>;
