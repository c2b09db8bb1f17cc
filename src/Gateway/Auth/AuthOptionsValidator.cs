using Microsoft.Extensions.Options;

namespace LlmGateway.Auth;

[OptionsValidator]
internal sealed partial class AuthOptionsValidator : IValidateOptions<AuthOptions>;
