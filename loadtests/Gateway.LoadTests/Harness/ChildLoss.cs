using System.Text;

namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// Why a run stopped early: the processes that ended under it, in the order the harness saw them (the first is the
/// cause; the gateway's store going takes the gateway with it). Written into every report a run makes, and printed.
/// </summary>
internal sealed record ChildLoss(IReadOnlyList<ChildExit> Exits)
{
    /// <summary>What a report's verdicts say: which process ended, how and when, and that the run stopped.</summary>
    public string Reason
    {
        get
        {
            var then = Exits.Skip(1).Select(e => $"; then {e.Describe()}");
            return $"{Exits[0].Describe()}{string.Concat(then)}: the run stopped there";
        }
    }

    /// <summary>The reason, then each process's last lines of output (a lost store's are in its gateway's).</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"**The run stopped early: a child process exited.** {Capitalised(Reason)}. Every figure that needed the rest of the run reads **not met**.");
        foreach (var exit in Exits)
        {
            text.AppendLine();
            if (exit.LogTail.Count == 0)
            {
                text.AppendLine($"The {exit.Role} process printed nothing before it ended (log: `{exit.LogPath}`).");
                continue;
            }

            var whose = exit.Parent is null ? $"The {exit.Role} child's" : $"The {exit.Parent}'s (which logs its {exit.Role}'s lines)";
            text.AppendLine($"{whose} last {exit.LogTail.Count} lines of output (log: `{exit.LogPath}`):");
            text.AppendLine();
            text.AppendLine("```text");
            foreach (var line in exit.LogTail)
            {
                // A line of backticks would end the block early.
                text.AppendLine(line.Replace("```", "` ` `", StringComparison.Ordinal));
            }

            text.AppendLine("```");
        }

        return text.ToString();
    }

    private static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
