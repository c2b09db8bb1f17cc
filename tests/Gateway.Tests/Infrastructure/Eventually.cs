namespace LlmGateway.Tests.Infrastructure;

/// <summary>
/// Waits on a condition instead of sleeping. The bound is the product's promise (e.g. 1 s for a
/// raw release flip); the poll interval only decides how soon a success is seen.
/// </summary>
public static class Eventually
{
    public static async Task<T> ResultAsync<T>(Func<Task<T>> attempt, Func<T, bool> done, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            var result = await attempt();
            if (done(result) || DateTime.UtcNow >= deadline)
            {
                return result;
            }

            if (result is IDisposable disposable)
            {
                disposable.Dispose();
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan bound) =>
        await ResultAsync(condition, ok => ok, bound);
}
