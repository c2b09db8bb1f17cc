namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// A reading of a child that is no longer there (its counters over standard input, its <c>/proc</c> entries), or a child
/// that ended before it was ready. A run in progress turns it into its <see cref="ChildLoss"/> verdict
/// (<see cref="ChildSupervisor.GuardAsync"/>); anywhere else the command ends with <see cref="Commands.LoadTestsCommandLine.ChildExited"/>.
/// </summary>
internal sealed class ChildExitedException(string role, int pid, int? exitCode, string logPath, IReadOnlyList<string> logTail, Exception? innerException = null)
    : Exception($"The {role} child process (pid {pid}) exited {ChildExit.HowItEnded(exitCode)} (log: {logPath}).", innerException)
{
    public string Role { get; } = role;

    /// <summary>Its last lines of output when it was found gone.</summary>
    public IReadOnlyList<string> LogTail { get; } = logTail;
}
