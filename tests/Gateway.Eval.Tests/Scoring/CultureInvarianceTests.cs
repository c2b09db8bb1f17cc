using System.Globalization;
using System.Text.Json;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Scoring;

/// <summary>
/// Reasons read the same whatever the process's culture: "0.5", never "0,5". The projects set InvariantGlobalization,
/// so de-DE itself cannot be created here; a culture with its separators stands in for it (a host without invariant
/// globalization, or code that sets the culture, gets exactly that).
/// </summary>
public sealed class CultureInvarianceTests
{
    private static CultureInfo GermanLike()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = ".";
        return culture;
    }

    [Fact]
    public void Score_results_and_schema_problems_format_numbers_invariantly_under_a_german_culture()
    {
        var before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = GermanLike();
        try
        {
            Assert.Equal("FAIL (0.5): half", ScoreResult.Of(false, 0.5, "half").ToString());

            using var schema = JsonDocument.Parse(SchemaReferencesTests.FanOut(40));
            Assert.False(JsonSchemaCheck.TryBuild(schema.RootElement, out _, out var error));
            Assert.Contains("more than 10,000 nodes", error, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }
}
