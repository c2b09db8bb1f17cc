using LlmGateway.Proxy;

namespace LlmGateway.Rewriting;

/// <summary>
/// Tells a single-turn prompt request from a multi-turn one. A request whose <c>messages</c> hold a <c>user</c> turn
/// brings its own conversation: the bundle then contributes only its instructions (its <c>system</c> and
/// <c>developer</c> messages), because its <c>user</c> and <c>assistant</c> templates describe the single-turn
/// exchange the client's conversation replaces. Anything else (no messages, or only system, developer, assistant or
/// tool ones) is single-turn: every bundle message is rendered, before the client's.
/// </summary>
/// <remarks>
/// The renderer (which variables are required, which templates render) and the rewriter (which bundle messages are
/// written) both ask this of the same scan, so they cannot disagree. A message with two different roles is not a
/// user turn: what it is depends on the provider.
/// </remarks>
internal static class PromptConversation
{
    public static bool IsMultiTurn(RequestScan scan)
    {
        var messages = scan.Messages;
        for (var i = 0; i < messages.Length; i++)
        {
            // The scanner interns the common roles, so this is usually a reference comparison.
            if (messages[i].Role == "user")
            {
                return true;
            }
        }

        return false;
    }
}
