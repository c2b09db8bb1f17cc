using Microsoft.Extensions.Compliance.Classification;
using LlmGateway.Sampling.Redaction;

namespace LlmGateway.Tests.Sampling.Redaction;

public sealed class MarkerRedactorProviderTests
{
    private readonly MarkerRedactorProvider _provider = new();

    [Theory]
    [InlineData("email", "[REDACTED:email]")]
    [InlineData("order_id", "[REDACTED:order_id]")]
    public void A_sampling_classification_gets_a_marker_naming_its_kind(string kind, string marker)
    {
        var redactor = _provider.GetRedactor(RedactionKinds.Classification(kind));

        Assert.Equal(marker, redactor.Redact("anything at all"));
        Assert.Same(redactor, _provider.GetRedactor(RedactionKinds.Classification(kind)));
    }

    [Fact]
    public void Another_taxonomy_or_a_combined_set_gets_a_bare_marker()
    {
        var other = new DataClassification("Other", "email");
        var combined = new DataClassificationSet(RedactionKinds.Classification("email"), RedactionKinds.Classification("ip"));

        Assert.Equal("[REDACTED]", _provider.GetRedactor(other).Redact("x"));
        Assert.Equal("[REDACTED]", _provider.GetRedactor(combined).Redact("x"));
    }
}
