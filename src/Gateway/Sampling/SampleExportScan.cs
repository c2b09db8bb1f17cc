namespace LlmGateway.Sampling;

/// <summary>What an export's scan came to, read when the export has ended (for its audit entry).</summary>
internal sealed class SampleExportScan
{
    /// <summary>The export read its scan limit (<see cref="SampleStore.DefaultMaxScannedPerExport"/>) ids and stopped with more unread.</summary>
    public bool LimitReached { get; set; }

    /// <summary>Matching samples left out because their input cannot be replayed (<see cref="GoldenExample.IsReplayable"/>).</summary>
    public int NotReplayable { get; set; }

    /// <summary>Matching samples left out because their answer is not a whole one (<see cref="GoldenExample.HasWholeAnswer"/>).</summary>
    public int NotWhole { get; set; }
}
