using Microsoft.Extensions.Options;

namespace LlmGateway.Store;

[OptionsValidator]
internal sealed partial class StoreOptionsValidator : IValidateOptions<StoreOptions>;
