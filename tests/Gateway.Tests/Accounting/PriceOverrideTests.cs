using System.Net;
using System.Text;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Accounting;

public sealed class PriceOverrideTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A model only this test's gateway knows: a runtime price lives in the shared store, so pricing a
    // model the shared gateway serves (gpt-4o, which other tests rely on being unpriced) would leak.
    private const string Model = "priced-at-runtime";
    private const string Chat = """{"model":"priced-at-runtime","messages":[{"role":"user","content":"price me"}]}""";

    [Fact]
    public async Task A_price_set_at_runtime_is_applied_audited_and_listed()
    {
        var settings = env.GatewaySettings();
        settings[$"Gateway:Models:{Model}:Provider"] = "mock";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        using var client = gateway.CreateClient(env.ApiKey);

        var set = await operatorClient.PutAsync($"/admin/v1/pricing/{Model}", """{"input_per_million":2.5,"output_per_million":10}""");
        using var after = await client.PostAsync("/v1/chat/completions", new StringContent(Chat, Encoding.UTF8, "application/json"), Ct);

        set.Expect(HttpStatusCode.OK);
        var input = long.Parse(after.Headers.GetValues("X-Gateway-Input-Tokens").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var output = long.Parse(after.Headers.GetValues("X-Gateway-Output-Tokens").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(((input * 2.5m) + (output * 10m)) / 1_000_000m, decimal.Parse(after.Headers.GetValues("X-Gateway-Cost-USD").Single(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"\"{Model}\"", (await operatorClient.GetAsync("/admin/v1/pricing")).Expect(HttpStatusCode.OK).Text, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"SetPrice\"", (await operatorClient.GetAsync("/admin/v1/audit?limit=50")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audio_prices_put_beside_the_same_text_prices_are_a_new_price_in_force()
    {
        // Not a repeat of the price before it: only its audio prices differ, and without them audio costs unknown.
        var (_, gateway) = await OwnPrefixGatewayAsync();
        await using var _ = gateway;
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        var model = "audio-" + Guid.NewGuid().ToString("N")[..8];

        (await operatorClient.PutAsync($"/admin/v1/pricing/{model}", """{"input_per_million":2.5,"output_per_million":10,"effective_from":"2026-01-01T00:00:00Z"}""")).Expect(HttpStatusCode.OK);
        (await operatorClient.PutAsync($"/admin/v1/pricing/{model}", """{"input_per_million":2.5,"output_per_million":10,"audio_input_per_million":40,"audio_output_per_million":80,"effective_from":"2026-02-01T00:00:00Z"}""")).Expect(HttpStatusCode.OK);

        var table = gateway.GetRequiredService<LlmGateway.Accounting.PricingTable>();
        var price = await Eventually.ResultAsync(
            () => Task.FromResult(table.PriceAt(model, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero))),
            p => p?.AudioOutputPerMillion is not null,
            TimeSpan.FromSeconds(10));
        Assert.Equal((40m, 80m), (price!.AudioInputPerMillion, price.AudioOutputPerMillion));
        Assert.Null(table.PriceAt(model, new DateTimeOffset(2026, 1, 15, 0, 0, 0, TimeSpan.Zero))!.AudioOutputPerMillion);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_model_id_holding_a_slash_is_priced_under_that_id_sent_escaped_or_not(bool escaped)
    {
        var (_, gateway) = await OwnPrefixGatewayAsync();
        await using var _ = gateway;
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        // A provider's model id, as vLLM and OpenRouter name models: organisation, then model.
        var model = $"org-{Guid.NewGuid():N}"[..12] + "/Llama-3.1-8B-Instruct";

        var set = await operatorClient.PutAsync(
            "/admin/v1/pricing/" + (escaped ? Uri.EscapeDataString(model) : model),
            """{"input_per_million":0.2,"output_per_million":0.6,"effective_from":"2026-01-01T00:00:00Z"}""");

        set.Expect(HttpStatusCode.OK);
        var table = gateway.GetRequiredService<LlmGateway.Accounting.PricingTable>();
        Assert.Equal(0.6m, table.PriceAt(model, new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero))?.OutputPerMillion);
        var listed = (await operatorClient.GetAsync("/admin/v1/pricing")).Expect(HttpStatusCode.OK).Json;
        Assert.Contains(listed.EnumerateObject(), p => p.Name.Equals(model, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(listed.EnumerateObject(), p => p.Name.Contains("%2f", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("/admin/v1/pricing/")]
    [InlineData("/admin/v1/pricing/org%2F")]
    public async Task A_price_for_no_model_name_is_refused(string path)
    {
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        var refused = await operatorClient.PutAsync(path, """{"input_per_million":1,"output_per_million":1}""");

        Assert.Equal("model", refused.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("""{"input_per_million":-1}""", "input_per_million")]
    [InlineData("""{"output_per_million":-0.5}""", "output_per_million")]
    [InlineData("""{"input_per_million":1,"output_per_million":79228162514264337593543950335}""", "output_per_million")]
    [InlineData("""{"cached_input_per_million":1000001}""", "cached_input_per_million")]
    [InlineData("""{"input_per_million":1,"output_per_million":1,"audio_input_per_million":-40}""", "audio_input_per_million")]
    [InlineData("""{"input_per_million":1,"output_per_million":1,"audio_output_per_million":1000001}""", "audio_output_per_million")]
    public async Task A_negative_or_absurd_price_is_refused_with_its_field(string body, string field)
    {
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        var refused = await operatorClient.PutAsync("/admin/v1/pricing/some-model", body);

        var error = refused.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error");
        Assert.Equal(field, error.GetProperty("param").GetString());
        Assert.Contains("from 0 to", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "input_per_million")]
    [InlineData("{}", "input_per_million")]
    [InlineData("""{"input_per_million":3}""", "output_per_million")]
    [InlineData("""{"InputPerMillion":3,"OutputPerMillion":12}""", "InputPerMillion")]
    [InlineData("""{"input_per_million":3,"output_per_million":12,"currency":"EUR"}""", "currency")]
    public async Task A_body_that_does_not_give_both_prices_by_their_names_is_refused_not_priced_at_zero(string body, string field)
    {
        var model = "unpriced-" + Guid.NewGuid().ToString("N")[..8];
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        var refused = await operatorClient.PutAsync($"/admin/v1/pricing/{model}", body.Length == 0 ? null : body);

        Assert.Equal(field, refused.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("param").GetString());
        Assert.DoesNotContain($"\"{model}\"", (await operatorClient.GetAsync("/admin/v1/pricing")).Expect(HttpStatusCode.OK).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prices_for_names_that_differ_only_in_case_are_one_model_and_never_stop_the_poll()
    {
        var (prefix, gateway) = await OwnPrefixGatewayAsync();
        await using var _ = gateway;
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(LlmGateway.Store.RedisUrl.Parse(env.StoreConnection));
        var database = connection.GetDatabase();
        var key = $"{prefix}:pricing:overrides";

        // A store written before names were matched: two spellings, each with a price for the same date.
        await database.HashSetAsync(key, "Case-Model", """[{"input_per_million":1,"output_per_million":2,"effective_from":"2026-01-01T00:00:00Z"}]""");
        await database.HashSetAsync(key, "CASE-model", """[{"input_per_million":3,"output_per_million":4,"effective_from":"2026-01-01T00:00:00Z"}]""");
        // Every instance's poll merges them, and lives on (a duplicate key once stopped the host).
        Assert.Contains("case-model", await Eventually.ResultAsync(
            async () => (await operatorClient.GetAsync("/admin/v1/pricing")).Expect(HttpStatusCode.OK).Text.ToLowerInvariant(),
            text => text.Contains("case-model", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20)), StringComparison.Ordinal);

        // A correction for that date, in a third spelling, is the price in force, in one field.
        (await operatorClient.PutAsync("/admin/v1/pricing/case-MODEL", """{"input_per_million":7,"output_per_million":8,"effective_from":"2026-01-01T00:00:00Z"}""")).Expect(HttpStatusCode.OK);
        (await operatorClient.PutAsync("/admin/v1/pricing/Case-Model", """{"input_per_million":9,"output_per_million":10,"effective_from":"2026-02-01T00:00:00Z"}""")).Expect(HttpStatusCode.OK);

        var field = Assert.Single(await database.HashGetAllAsync(key));
        Assert.Equal("case-model", (string)field.Name!);
        var stored = (string)field.Value!;
        Assert.Contains("\"input_per_million\":7", stored, StringComparison.Ordinal);
        Assert.Contains("\"input_per_million\":9", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("\"input_per_million\":1,", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("\"input_per_million\":3,", stored, StringComparison.Ordinal);
        var listed = (await operatorClient.GetAsync("/admin/v1/pricing")).Expect(HttpStatusCode.OK).Json;
        var history = listed.EnumerateObject().Single(p => p.Name.Equals("case-model", StringComparison.OrdinalIgnoreCase)).Value;
        Assert.Equal([7m, 9m], history.EnumerateArray().Select(p => p.GetProperty("input_per_million").GetDecimal()));
    }

    [Fact]
    public async Task Prices_put_for_one_model_at_the_same_moment_all_land()
    {
        var (prefix, gateway) = await OwnPrefixGatewayAsync();
        await using var _ = gateway;
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        const int Puts = 16;

        // Each PUT reads the model's prices, adds its own and writes them back: without a condition on what it read,
        // two at once each write a list without the other's price.
        var puts = await Task.WhenAll(Enumerable.Range(1, Puts).Select(day => operatorClient.PutAsync(
            $"/admin/v1/pricing/{(day % 2 == 0 ? "Race-Model" : "race-model")}",
            $$"""{"input_per_million":{{day}},"output_per_million":1,"effective_from":"2026-01-{{day:00}}T00:00:00Z"}""")));

        Assert.All(puts, put => put.Expect(HttpStatusCode.OK));
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(LlmGateway.Store.RedisUrl.Parse(env.StoreConnection));
        var stored = (string?)await connection.GetDatabase().HashGetAsync($"{prefix}:pricing:overrides", "race-model");
        var history = System.Text.Json.JsonDocument.Parse(stored!).RootElement;
        Assert.Equal(Enumerable.Range(1, Puts).Select(day => (decimal)day), history.EnumerateArray().Select(p => p.GetProperty("input_per_million").GetDecimal()));
    }

    [Fact]
    public async Task A_price_put_again_unchanged_adds_no_entry_and_a_change_does()
    {
        var (prefix, gateway) = await OwnPrefixGatewayAsync();
        await using var _ = gateway;
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);

        // A sync job that PUTs the same price every minute: the history must not grow by one entry each time.
        for (var minute = 0; minute < 5; minute++)
        {
            (await operatorClient.PutAsync("/admin/v1/pricing/synced-model", $$"""{"input_per_million":2,"output_per_million":8,"effective_from":"2026-03-01T00:{{minute:00}}:00Z"}""")).Expect(HttpStatusCode.OK);
        }

        (await operatorClient.PutAsync("/admin/v1/pricing/synced-model", """{"input_per_million":3,"output_per_million":8,"effective_from":"2026-03-02T00:00:00Z"}""")).Expect(HttpStatusCode.OK);
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(LlmGateway.Store.RedisUrl.Parse(env.StoreConnection));
        var stored = (string?)await connection.GetDatabase().HashGetAsync($"{prefix}:pricing:overrides", "synced-model");

        var history = System.Text.Json.JsonDocument.Parse(stored!).RootElement;
        Assert.Equal([2m, 3m], history.EnumerateArray().Select(p => p.GetProperty("input_per_million").GetDecimal()));
        Assert.Equal("2026-03-01T00:00:00+00:00", history[0].GetProperty("effective_from").GetString());
    }

    [Fact]
    public async Task A_price_put_again_after_a_deploy_changed_the_configured_price_is_a_change_not_a_repeat()
    {
        var prefix = "gwtest-price-" + Guid.NewGuid().ToString("N")[..8];
        Dictionary<string, string?> Settings(params (string From, int Input)[] configured)
        {
            var settings = env.GatewaySettings();
            settings["Redis:KeyPrefix"] = prefix;
            for (var i = 0; i < configured.Length; i++)
            {
                settings[$"Gateway:Pricing:Models:deployed-model:{i}:EffectiveFrom"] = configured[i].From;
                settings[$"Gateway:Pricing:Models:deployed-model:{i}:InputPerMillion"] = configured[i].Input.ToString(System.Globalization.CultureInfo.InvariantCulture);
                settings[$"Gateway:Pricing:Models:deployed-model:{i}:OutputPerMillion"] = "10";
            }

            return settings;
        }

        const string Put = """{"input_per_million":2,"output_per_million":10,"effective_from":"2026-0{0}-01T00:00:00Z"}""";
        await using (var before = await GatewayHost.StartAsync(Settings(("2026-01-01T00:00:00Z", 5))))
        {
            using var operatorClient = new AdminClient(before, TestEnvironment.OperatorToken);
            (await operatorClient.PutAsync("/admin/v1/pricing/deployed-model", Put.Replace("{0}", "2", StringComparison.Ordinal))).Expect(HttpStatusCode.OK);
            // The same price again a month later repeats the one in force: nothing added.
            (await operatorClient.PutAsync("/admin/v1/pricing/deployed-model", Put.Replace("{0}", "3", StringComparison.Ordinal))).Expect(HttpStatusCode.OK);
        }

        // A deploy adds a configured price after the runtime one; the sync job puts its price again after that.
        await using var after = await GatewayHost.StartAsync(Settings(("2026-01-01T00:00:00Z", 5), ("2026-04-15T00:00:00Z", 7)));
        using (var operatorClient = new AdminClient(after, TestEnvironment.OperatorToken))
        {
            (await operatorClient.PutAsync("/admin/v1/pricing/deployed-model", Put.Replace("{0}", "5", StringComparison.Ordinal))).Expect(HttpStatusCode.OK);
        }

        var table = after.GetRequiredService<LlmGateway.Accounting.PricingTable>();
        Assert.Equal(2m, table.PriceAt("deployed-model", new DateTimeOffset(2026, 3, 15, 0, 0, 0, TimeSpan.Zero))!.InputPerMillion);
        Assert.Equal(7m, table.PriceAt("deployed-model", new DateTimeOffset(2026, 4, 20, 0, 0, 0, TimeSpan.Zero))!.InputPerMillion);
        Assert.Equal(2m, table.PriceAt("deployed-model", new DateTimeOffset(2026, 5, 2, 0, 0, 0, TimeSpan.Zero))!.InputPerMillion);
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(LlmGateway.Store.RedisUrl.Parse(env.StoreConnection));
        var stored = System.Text.Json.JsonDocument.Parse((string)(await connection.GetDatabase().HashGetAsync($"{prefix}:pricing:overrides", "deployed-model"))!).RootElement;
        Assert.Equal(["2026-02-01", "2026-05-01"], stored.EnumerateArray().Select(p => p.GetProperty("effective_from").GetString()![..10]));
    }

    [Fact]
    public async Task Runtime_prices_in_the_store_are_in_force_before_an_instance_takes_traffic()
    {
        var (prefix, gateway) = await OwnPrefixGatewayAsync();
        await using var _ = gateway;
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(LlmGateway.Store.RedisUrl.Parse(env.StoreConnection));
        await connection.GetDatabase().HashSetAsync($"{prefix}:pricing:overrides", "priced-before-start", """[{"input_per_million":1,"output_per_million":2,"effective_from":"2026-01-01T00:00:00Z"}]""");

        // A second instance's poller on the same store: when its start returns (the host starts the server after it),
        // the price must already be in its table, not a second later.
        var table = new LlmGateway.Accounting.PricingTable(new LlmGateway.Accounting.PricingOptions());
        using var overrides = new LlmGateway.Accounting.PriceOverrides(
            gateway.GetRequiredService<LlmGateway.Store.GatewayStore>(), table, Microsoft.Extensions.Logging.Abstractions.NullLogger<LlmGateway.Accounting.PriceOverrides>.Instance);
        await overrides.StartAsync(Ct);
        try
        {
            Assert.True(table.All.ContainsKey("priced-before-start"), "The runtime price was not loaded when the start returned.");
        }
        finally
        {
            await overrides.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>A gateway on a key prefix of its own: the prices it stores must not reach the shared gateway's models.</summary>
    private async Task<(string Prefix, GatewayHost Gateway)> OwnPrefixGatewayAsync()
    {
        var prefix = "gwtest-price-" + Guid.NewGuid().ToString("N")[..8];
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = prefix;
        return (prefix, await GatewayHost.StartAsync(settings));
    }
}
