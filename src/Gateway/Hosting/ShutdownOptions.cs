using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Hosting;

/// <summary>
/// How long a stop may take, from <c>Gateway:Shutdown</c>. The host's shutdown timeout is their sum: with one budget for
/// both, a request that outlived it (a long stream) left the services that stop after the server a cancelled token, and
/// the store was closed under the writers' last batches.
/// </summary>
internal sealed class ShutdownOptions
{
    public const string SectionName = "Gateway:Shutdown";

    /// <summary>How long the server waits for its requests to finish once a stop begins; those still running are then cut.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// What the services that stop after the server have, on top: in-process calls ending, the last writes of usage
    /// counts, samples and budgets, and the store's close after them.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
