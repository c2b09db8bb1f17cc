using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Infrastructure;

/// <summary>Options that never change, for unit tests of types that read an <see cref="IOptionsMonitor{T}"/>.</summary>
public sealed class FixedOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
