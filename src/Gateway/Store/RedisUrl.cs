using StackExchange.Redis;

namespace LlmGateway.Store;

/// <summary>
/// Accepts both StackExchange.Redis configuration strings and the <c>redis://</c> /
/// <c>rediss://</c> URLs that hosting platforms hand out in <c>REDIS_URL</c>.
/// </summary>
internal static class RedisUrl
{
    public static ConfigurationOptions Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        if (!value.StartsWith("redis://", StringComparison.OrdinalIgnoreCase)
            && !value.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            return ConfigurationOptions.Parse(value);
        }

        var uri = new Uri(value);
        var options = new ConfigurationOptions
        {
            Ssl = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase),
        };
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            if (parts.Length == 2)
            {
                options.User = string.IsNullOrEmpty(parts[0]) ? null : Uri.UnescapeDataString(parts[0]);
                options.Password = Uri.UnescapeDataString(parts[1]);
            }
            else
            {
                options.Password = Uri.UnescapeDataString(parts[0]);
            }
        }

        var database = uri.AbsolutePath.Trim('/');
        if (database.Length > 0 && int.TryParse(database, out var db))
        {
            options.DefaultDatabase = db;
        }

        return options;
    }
}
