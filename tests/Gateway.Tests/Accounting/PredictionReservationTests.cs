using System.Text;
using LlmGateway.Budgets;
using LlmGateway.Providers;
using LlmGateway.Proxy;

namespace LlmGateway.Tests.Accounting;

/// <summary>
/// Predicted Outputs: the prediction's tokens the model does not use are billed as completion tokens, beyond the
/// output cap. The reservation's output side holds them (bounded by the prediction's bytes), so it stays an upper bound;
/// the cap sent to a provider does not change.
/// </summary>
public sealed class PredictionReservationTests
{
    private static readonly ModelCatalog Catalog = new(new CatalogOptions
    {
        Providers = { ["p"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://p/v1" } },
        Models = { ["gpt-4o"] = new CatalogModelOptions { Provider = "p" } },
    });

    [Fact]
    public void A_predictions_bytes_are_reserved_as_output_beyond_the_cap()
    {
        var prediction = new string('x', 50_000);
        var body = Encoding.UTF8.GetBytes($$$"""{"model":"gpt-4o","max_tokens":100,"messages":[{"role":"user","content":"hi"}],"prediction":{"type":"content","content":"{{{prediction}}}"}}""");
        var scan = RequestBodyScanner.Scan(body);
        Assert.True(Catalog.TryGetModel("gpt-4o", out var model));

        var (reserved, perChoice, error) = OutputRequest.Check(body, scan, model, bundle: null, maxChoices: 8);

        Assert.Null(error);
        Assert.Equal(100, perChoice);
        Assert.InRange(reserved, 100 + 50_000, 100 + 50_100);
    }

    [Fact]
    public void Without_a_prediction_the_reservation_is_the_cap()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"gpt-4o","max_tokens":100,"n":2,"messages":[{"role":"user","content":"hi"}]}""");
        Assert.True(Catalog.TryGetModel("gpt-4o", out var model));

        var (reserved, perChoice, error) = OutputRequest.Check(body, RequestBodyScanner.Scan(body), model, bundle: null, maxChoices: 8);

        Assert.Null(error);
        Assert.Equal((200, 100), (reserved, perChoice));
    }
}
