using DiffPlex.DiffBuilder.Model;

namespace LlmGateway.Cli.Prompts;

/// <summary>
/// One line of a line diff with how many lines of each side come before it, which is what a unified
/// diff's <c>@@ -start,count +start,count @@</c> headers are computed from.
/// </summary>
internal readonly record struct DiffLine(ChangeType Type, string Text, int OldLinesBefore, int NewLinesBefore);
