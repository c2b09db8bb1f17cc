namespace LlmGateway.Sampling;

/// <summary>
/// The point in [0, 1) that a request's sampling rate is compared with: drawn by the gateway, afresh
/// for every request, from <see cref="Random.Shared"/> (a generator per thread, seeded from the OS's
/// secure source). Nothing a client sends goes into it (not its <c>X-Request-Id</c>, which it may
/// choose), and the draws are never shown, so a client can neither pick nor replay a sampled request;
/// only a <c>debug</c> key's force header samples on demand. A few nanoseconds, no allocation.
/// </summary>
internal sealed class SampleDraw
{
    private readonly Func<double>? _points;

    private SampleDraw(Func<double>? points) => _points = points;

    /// <summary>What the gateway uses: a fresh random draw per request.</summary>
    public static SampleDraw Random { get; } = new(null);

    /// <summary>Draws from <paramref name="points"/> instead (tests and benchmarks that need a given outcome).</summary>
    public static SampleDraw From(Func<double> points) => new(points);

    public double Next() => _points is null ? System.Random.Shared.NextDouble() : _points();

    /// <summary>True for a share <paramref name="rate"/> of requests; draws only when the rate is strictly between 0 and 1.</summary>
    public bool Hits(double rate) => rate >= 1 || (rate > 0 && Next() < rate);
}
