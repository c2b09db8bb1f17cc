using Microsoft.Extensions.Options;

namespace LlmGateway.Releases;

[OptionsValidator]
internal sealed partial class ReleaseOptionsValidator : IValidateOptions<ReleaseOptions>;
