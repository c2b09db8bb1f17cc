using System.Globalization;

namespace LlmGateway.LoadTests.Harness;

/// <summary>A process of the harness's systems that ended while a run went on, without the harness asking it to.</summary>
/// <param name="Role">The system: <c>gateway</c>, <c>mock</c>, <c>yarp-bare</c>, <c>store</c>, <c>evaluator</c>.</param>
/// <param name="Parent">The child that started it, for the gateway's embedded store's process; null for the harness's own children.</param>
/// <param name="ExitCode">Its exit code; null when the harness could not read it (a process another child started).</param>
/// <param name="During">What the run was doing when the exit was seen (a phase, a warm-up, a round's window).</param>
/// <param name="SecondsIntoRun">When, counted from the start of the harness's first child.</param>
/// <param name="LogPath">The file its output went to (for the gateway's store: the gateway's, which logs the store's lines).</param>
/// <param name="LogTail">Its last lines of output (at most <see cref="ChildSupervisor.TailLines"/>, each bounded).</param>
internal sealed record ChildExit(
    string Role,
    int Pid,
    string? Parent,
    int? ExitCode,
    string During,
    double SecondsIntoRun,
    string LogPath,
    IReadOnlyList<string> LogTail)
{
    /// <summary>One sentence: which process, how it ended, and when.</summary>
    public string Describe()
    {
        var who = Parent is null
            ? $"the {Role} child process (pid {Pid})"
            : $"the {Parent}'s {Role} process (pid {Pid}, started by the {Parent})";
        return string.Create(CultureInfo.InvariantCulture, $"{who} exited {HowItEnded(ExitCode)} during {During}, {SecondsIntoRun:0.0} s into the run");
    }

    /// <summary>
    /// The exit code, and the signal behind it when it is one: .NET reports a process ended by signal N as 128 + N, and a
    /// SIGKILL (137) is most often the kernel's OOM killer.
    /// </summary>
    public static string HowItEnded(int? exitCode) => exitCode switch
    {
        null => "(exit code unknown to the harness)",
        137 => "with code 137 (SIGKILL: the OOM killer, or a kill -9)",
        > 128 and < 160 => string.Create(CultureInfo.InvariantCulture, $"with code {exitCode} (killed by signal {exitCode - 128})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"with code {exitCode}"),
    };
}
