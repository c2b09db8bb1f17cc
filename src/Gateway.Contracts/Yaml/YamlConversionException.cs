namespace LlmGateway.Contracts.Yaml;

/// <summary>YAML that cannot become the JSON we would send: a syntax error, or a value JSON has no way to say.</summary>
internal sealed class YamlConversionException(string message, long? line = null, long? column = null, Exception? innerException = null)
    : Exception(line is null ? message : $"line {line}, column {column}: {message}", innerException)
{
    public long? Line { get; } = line;

    public long? Column { get; } = column;
}
