namespace LlmGateway.Hosting;

internal static class GatewayConfigurationExtensions
{
    /// <summary>Environment variable that points the gateway at another config folder (Docker mounts one).</summary>
    public const string ConfigDirectoryVariable = "GATEWAY_CONFIG_DIR";

    /// <summary>The same, as a command-line or configuration key (<c>--Gateway:ConfigDirectory=…</c>).</summary>
    public const string ConfigDirectoryKey = "Gateway:ConfigDirectory";

    private static readonly string[] ConfigFiles = ["appsettings", "providers", "pricing"];

    /// <summary>
    /// Layers <c>config/appsettings.json</c> and <c>config/providers.json</c> (plus their
    /// <c>.{Environment}</c> variants) under environment variables and the command line,
    /// so deployments override files rather than edit them.
    /// </summary>
    public static WebApplicationBuilder AddGatewayConfigurationFiles(this WebApplicationBuilder builder)
    {
        var directory = ResolveConfigDirectory(builder.Configuration);
        if (!Directory.Exists(directory))
        {
            return builder;
        }

        var environment = builder.Environment.EnvironmentName;
        var files = new ConfigurationManager();
        foreach (var name in ConfigFiles)
        {
            files.AddJsonFile(Path.Combine(directory, $"{name}.json"), optional: true, reloadOnChange: false);
            files.AddJsonFile(Path.Combine(directory, $"{name}.{environment}.json"), optional: true, reloadOnChange: false);
        }

        // Insert the files right after the defaults that WebApplication added for the content root,
        // and before environment variables and the command line.
        var sources = ((IConfigurationBuilder)builder.Configuration).Sources;
        var insertAt = sources.Count;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource)
            {
                insertAt = i;
                break;
            }
        }

        foreach (var source in ((IConfigurationBuilder)files).Sources)
        {
            sources.Insert(insertAt++, source);
        }

        return builder;
    }

    private static string ResolveConfigDirectory(ConfigurationManager configuration)
    {
        var configured = configuration[ConfigDirectoryKey] ?? Environment.GetEnvironmentVariable(ConfigDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        return Path.Combine(AppContext.BaseDirectory, "config");
    }
}
