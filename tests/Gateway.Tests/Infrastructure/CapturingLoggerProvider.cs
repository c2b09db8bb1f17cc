using Microsoft.Extensions.Logging;

namespace LlmGateway.Tests.Infrastructure;

/// <summary>Keeps every formatted log line (with its level and exception) so a test can search what was logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ThreadSafeCollection<(LogLevel Level, string Category, string Text)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Text)> Lines => _lines.Snapshot();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ThreadSafeCollection<(LogLevel, string, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var state_ = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Add((logLevel, category, $"{formatter(state, exception)} {state_} {exception}"));
        }
    }
}
