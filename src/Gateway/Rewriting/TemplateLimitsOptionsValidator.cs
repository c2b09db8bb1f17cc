using Microsoft.Extensions.Options;

namespace LlmGateway.Rewriting;

[OptionsValidator]
internal sealed partial class TemplateLimitsOptionsValidator : IValidateOptions<TemplateLimitsOptions>;
