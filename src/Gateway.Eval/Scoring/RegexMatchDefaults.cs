namespace LlmGateway.Eval.Scoring;

/// <summary>
/// The process-wide match timeout of every regular expression built without one: a library's, as JsonSchema.Net's
/// <c>pattern</c> and <c>patternProperties</c>, whose patterns an assertion's author writes and whose input a model's
/// answer (which a client can steer) supplies. Our own expressions set their timeouts; this is for those we cannot.
/// Read by the runtime once, at the first regular expression of the process: apply it first thing in <c>Main</c>.
/// </summary>
public static class RegexMatchDefaults
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    public static void Apply() => AppContext.SetData("REGEX_DEFAULT_MATCH_TIMEOUT", Timeout);
}
