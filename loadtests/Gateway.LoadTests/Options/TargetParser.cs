namespace LlmGateway.LoadTests.Options;

/// <summary><c>--target</c>: an absolute http(s) base URL on this machine, or a <see cref="UsageException"/> saying why not.</summary>
internal static class TargetParser
{
    public static Uri Parse(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--target must be an absolute http:// or https:// URL such as {LoadTestOptions.DefaultTarget}, got '{value}'.");
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new UsageException($"--target is a base URL: no query, fragment or user info, got '{value}'.");
        }

        if (!LoopbackGuard.IsLoopbackHost(uri))
        {
            throw new UsageException(
                $"--target host '{uri.Host}' is not a loopback address. This tool only loads this machine: "
                + "use 127.0.0.0/8, [::1] or localhost.");
        }

        return uri;
    }
}
