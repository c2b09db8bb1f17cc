using LlmGateway.Sampling.Redaction;

namespace LlmGateway.Tests.Security;

/// <summary>Per-prompt redaction patterns run on .NET's linear-time regex engine.</summary>
public sealed class RedactionPatternEngineTests
{
    [Fact]
    public void A_catastrophic_pattern_runs_in_linear_time_and_a_lookaround_is_refused_by_name()
    {
        var redactor = new TextRedactor(new MarkerRedactorProvider(), new Dictionary<string, string> { ["evil"] = "(a+)+$" });
        var text = new string('a', 5_000) + "!";

        // With backtracking this input takes longer than the age of the universe; it must simply finish.
        var tally = new RedactionTally();
        Assert.Equal(text, redactor.Redact(text, tally));
        Assert.Equal(0, tally.Total);

        var refused = Assert.Throws<ArgumentException>(() => new TextRedactor(new MarkerRedactorProvider(), new Dictionary<string, string> { ["look"] = "(?<=x)y" }));
        Assert.Contains("look", refused.Message, StringComparison.Ordinal);
    }
}
