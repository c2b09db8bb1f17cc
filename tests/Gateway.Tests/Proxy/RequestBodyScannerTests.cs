using System.Text;
using LlmGateway.Proxy;

namespace LlmGateway.Tests.Proxy;

public sealed class RequestBodyScannerTests
{
    [Theory]
    [InlineData("""{"model":"gpt-4o","messages":[]}""", "gpt-4o", false)]
    [InlineData("""{"messages":[{"model":"nested"}],"model":"top","stream":true}""", "top", true)]
    [InlineData("""{ "stream" : false , "model" : "m" }""", "m", false)]
    [InlineData("""{"model":"caf\u00e9"}""", "café", false)]
    [InlineData("""{"metadata":{"stream":true},"model":"m"}""", "m", false)]
    public void Finds_the_top_level_model_and_stream_flag(string json, string model, bool stream)
    {
        var scan = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes(json));

        Assert.True(scan.IsValid, scan.Error);
        Assert.Equal(model, scan.Model);
        Assert.Equal(stream, scan.Stream);
    }

    public static TheoryData<string, string?, int> TooMany => new()
    {
        { "messages", "messages", RequestBodyScanner.MaxMessages },
        { "prompt_variables", "prompt_variables", RequestBodyScanner.MaxVariables },
        { "keys", null, RequestBodyScanner.MaxTopLevelFields },
    };

    [Theory]
    [MemberData(nameof(TooMany))]
    public void A_body_with_more_items_than_the_gateway_reads_is_refused_with_400_naming_the_field(string what, string? param, int max)
    {
        var items = max + 1;
        var json = what switch
        {
            "messages" => """{"model":"m","messages":[""" + string.Join(',', Enumerable.Repeat("0", items)) + "]}",
            "prompt_variables" => """{"model":"m","prompt_variables":{""" + string.Join(',', Enumerable.Range(0, items).Select(i => $"\"v{i}\":0")) + "}}",
            _ => """{"model":"m",""" + string.Join(',', Enumerable.Range(0, items).Select(i => $"\"k{i}\":0")) + "}",
        };

        var scan = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes(json));

        Assert.False(scan.IsValid);
        var refusal = scan.Refusal;
        Assert.Equal(400, refusal.StatusCode);
        Assert.Equal("too_many_items", refusal.Body.Code);
        Assert.Equal(param, refusal.Body.Param);

        // One fewer is read as ever (the body's own keys count the model too).
        var fewer = what switch
        {
            "messages" => """{"model":"m","messages":[""" + string.Join(',', Enumerable.Repeat("0", max)) + "]}",
            "prompt_variables" => """{"model":"m","prompt_variables":{""" + string.Join(',', Enumerable.Range(0, max).Select(i => $"\"v{i}\":0")) + "}}",
            _ => """{"model":"m",""" + string.Join(',', Enumerable.Range(0, max - 1).Select(i => $"\"k{i}\":0")) + "}",
        };
        Assert.True(RequestBodyScanner.Scan(Encoding.UTF8.GetBytes(fewer)).IsValid);
    }

    [Theory]
    [InlineData("""{"model":"m","prompt_variables":{"company":"A","company":"B"}}""")]
    [InlineData("""{"model":"m","prompt_variables":{"company":"A","c\u006fmpany":null}}""")]
    public void A_prompt_variable_given_twice_is_refused_as_a_duplicate_key(string json)
    {
        var scan = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes(json));

        Assert.False(scan.IsValid);
        Assert.Equal("duplicate_key", scan.Refusal.Body.Code);
        Assert.Equal("prompt_variables.company", scan.Refusal.Body.Param);
    }

    [Theory]
    [InlineData("""{"model":"m","service_tier":"priority","background":true}""", true, true)]
    [InlineData("""{"model":"m","service_tier":"pri\u006frity","backgroun\u0064":true}""", true, true)]
    [InlineData("""{"model":"m","service_tier":"default","background":false}""", false, false)]
    [InlineData("""{"model":"m","service_tier":null,"background":null,"metadata":{"service_tier":"priority","background":true}}""", false, false)]
    public void Finds_the_priority_tier_and_a_background_request_at_the_top_level_only(string json, bool priority, bool background)
    {
        var scan = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes(json));

        Assert.True(scan.IsValid, scan.Error);
        Assert.Equal((priority, background), (scan.PriorityTier, scan.Background));
    }

    [Theory]
    [InlineData("""{"model":"m","stream":"true"}""", "stream")]
    [InlineData("""{"model":"m","stream":1}""", "stream")]
    [InlineData("""{"model":"m","stream":[true]}""", "stream")]
    [InlineData("""{"model":"m","background":1}""", "background")]
    [InlineData("""{"model":"m","background":"true"}""", "background")]
    [InlineData("""{"model":"m","backgroun\u0064":{}}""", "background")]
    public void A_stream_or_background_flag_other_than_true_false_or_null_is_refused(string json, string param)
    {
        var scan = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes(json));

        Assert.False(scan.IsValid);
        Assert.Equal((400, "invalid_type", param), (scan.Refusal.StatusCode, scan.Refusal.Body.Code, scan.Refusal.Body.Param));
    }

    [Theory]
    [InlineData("""{"model":"m","stream":null,"background":null}""")]
    [InlineData("""{"model":"m","stream":false,"background":false}""")]
    public void A_null_or_false_flag_is_read_as_false(string json)
    {
        var scan = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes(json));

        Assert.True(scan.IsValid, scan.Error);
        Assert.False(scan.Stream);
        Assert.False(scan.Background);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_model_name_is_read_up_to_the_bound_and_refused_past_it(bool escaped)
    {
        // Escaped, each character is six bytes: the bound counts characters, not bytes.
        string Model(int length) => string.Concat(Enumerable.Repeat(escaped ? "\\u0041" : "A", length));

        var atBound = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes($$"""{"model":"{{Model(RequestBodyScanner.MaxModelLength)}}"}"""));
        var past = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes($$"""{"model":"{{Model(RequestBodyScanner.MaxModelLength + 1)}}"}"""));

        Assert.True(atBound.IsValid, atBound.Error);
        Assert.Equal(new string('A', RequestBodyScanner.MaxModelLength), atBound.Model);
        Assert.False(past.IsValid);
        Assert.Equal((400, "string_above_max_length", "model"), (past.Refusal.StatusCode, past.Refusal.Body.Code, past.Refusal.Body.Param));
    }

    [Fact]
    public void Records_the_exact_bytes_of_the_model_token()
    {
        var json = Encoding.UTF8.GetBytes("""{"a":1,"model":"gpt\"x","b":2}""");

        var scan = RequestBodyScanner.Scan(json);

        Assert.Equal("\"gpt\\\"x\"", Encoding.UTF8.GetString(json, scan.ModelTokenStart, scan.ModelTokenLength));
        Assert.Equal("gpt\"x", scan.Model);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("""{"model":"m",}""")]
    [InlineData("""{"model":"m"} trailing""")]
    [InlineData("[1,2]")]
    [InlineData("\"just a string\"")]
    [InlineData("""{"model":'single'}""")]
    public void Rejects_bodies_that_are_not_one_JSON_object(string json)
    {
        var scan = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes(json));

        Assert.False(scan.IsValid);
        Assert.False(string.IsNullOrWhiteSpace(scan.Error));
    }

    [Theory]
    [InlineData("""{"messages":[]}""")]
    [InlineData("""{"model":null}""")]
    [InlineData("""{"model":42}""")]
    [InlineData("""{"model":{"name":"x"}}""")]
    public void Reports_no_model_when_it_is_absent_or_not_a_string(string json)
    {
        var scan = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes(json));

        Assert.True(scan.IsValid, scan.Error);
        Assert.Null(scan.Model);
    }
    [Fact]
    public void A_scan_keeps_nothing_of_the_body_and_no_oversized_scratch_afterwards()
    {
        // Its lists are per thread and reused: after a scan they hold nothing of the client's body (prompt variables
        // may be secrets), and one a hostile body grew past the bound is dropped, not kept for the thread's life.
        var variables = RequestBodyScanner.Scan("""{"model":"prompt:bot","prompt_variables":{"token":"sk-secret"},"messages":[{"role":"user","content":"hi"}]}"""u8);
        Assert.Equal("sk-secret", Assert.Single(variables.Variables).Text);
        Assert.All(["t_properties", "t_messages", "t_variables"], name => Assert.Equal(0, Scratch(name)?.Count ?? 0));

        var many = "{\"model\":\"m\",\"messages\":[" + string.Join(",", Enumerable.Repeat("{}", 5_000)) + "]}";
        Assert.Equal(5_000, RequestBodyScanner.Scan(Encoding.UTF8.GetBytes(many)).Messages.Length);
        Assert.Null(Scratch("t_messages"));

        // A refused body (a duplicate key) is let go of too.
        Assert.False(RequestBodyScanner.Scan("""{"model":"m","prompt_variables":{"a":"secret"},"model":"n"}"""u8).IsValid);
        Assert.Equal(0, Scratch("t_variables")?.Count ?? 0);
    }

    private static System.Collections.IList? Scratch(string name) =>
        (System.Collections.IList?)typeof(RequestBodyScanner).GetField(name, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null);
}

