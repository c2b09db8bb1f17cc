using Microsoft.Extensions.Options;

namespace LlmGateway.Store;

/// <summary>
/// Refuses embedded-store sizes Garnet would reject at start-up (with a stack trace instead of the setting's name):
/// a page below 512 bytes, log memory below 4 pages, an index below one 64-byte bucket. Checked only when the
/// embedded store is used.
/// </summary>
internal sealed class EmbeddedStoreSizesValidator : IValidateOptions<StoreOptions>
{
    private const string Path = $"{StoreOptions.SectionName}:Embedded";

    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        if (!options.UsesEmbeddedStore)
        {
            return ValidateOptionsResult.Success;
        }

        var embedded = options.Embedded;
        var memory = EmbeddedStoreOptions.ParseSize(embedded.Memory);
        var page = EmbeddedStoreOptions.ParseSize(embedded.PageSize);
        var index = EmbeddedStoreOptions.ParseSize(embedded.Index);
        if (memory is null || page is null || index is null)
        {
            // The attributes on EmbeddedStoreOptions report the malformed value.
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        // Garnet rounds the page down to a power of 2; the log needs at least 4 of them.
        var roundedPage = page.Value == 0 ? 0 : 1L << (63 - (int)long.LeadingZeroCount(page.Value));
        if (roundedPage < 512)
        {
            failures.Add($"{Path}:PageSize must be at least 512 bytes (got '{embedded.PageSize}').");
        }
        else if (memory.Value < 4 * roundedPage)
        {
            failures.Add($"{Path}:Memory must be at least 4 pages of {Path}:PageSize ({4 * roundedPage} bytes; got '{embedded.Memory}' and '{embedded.PageSize}').");
        }

        if (index.Value < 64)
        {
            failures.Add($"{Path}:Index must be at least 64 bytes, one hash bucket (got '{embedded.Index}').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
