using System.Text;
using LlmGateway.Prompts;
using LlmGateway.Providers;

namespace LlmGateway.Tests.Prompts;

public sealed class PromptBundleValidatorTests
{
    private static readonly PromptBundleValidator Validator = new(new PromptTemplateAnalyzer(), new ModelCatalog(new CatalogOptions
    {
        Providers = { ["p"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://x/v1" } },
        Models = { ["gpt-4o-mini"] = new CatalogModelOptions { Provider = "p" } },
    }));

    [Fact]
    public void A_complete_bundle_is_valid_and_gets_defaults()
    {
        var result = Validate("""
            {"name":"support-bot","label":"3.2","message":"m","model":"gpt-4o-mini",
             "messages":[{"role":"system","content":"Hi {{ company }}{% for t in topics %} {{ t }}{% endfor %}{% assign x = 1 %}{{ x }}"}],
             "variables":[{"name":"company","required":true},{"name":"topics","required":false}],
             "params":{"temperature":0.3,"top_p":0.9,"max_tokens":100,"stop":["a","b"],"seed":1,"response_format":{"type":"json_object"},"tools":[],"tool_choice":"auto","client_overridable":["temperature"]},
             "retrieval":{"corpus":"kb","snapshot":"s1","top_k":5,"filters":{"lang":"en"}},
             "eval":{"dataset":"d.jsonl","gate_required":false,"thresholds":{"accuracy":0.9}}}
            """);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(SystemMessagePolicies.Keep, result.Content!.SystemMessagePolicy);
        Assert.Equal(64, result.Id!.Length);
    }

    public static TheoryData<string, string, string> Invalid => new()
    {
        { """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}]}""", "name", "Required" },
        { """{"name":"Bad Name","model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}]}""", "name", "must match" },
        { """{"name":"a","model":"gpt-9","messages":[{"role":"user","content":"x"}]}""", "model", "not in the model catalog" },
        { """{"name":"a","model":"gpt-4o-mini","messages":[]}""", "messages", "At least one" },
        { """{"name":"a","model":"gpt-4o-mini","messages":[{"role":"robot","content":"x"}]}""", "messages[0].role", "One of" },
        { """{"name":"a","model":"gpt-4o-mini","messages":[{"role":"user","content":"{{ who }}"}]}""", "messages[0].content", "undeclared variable 'who'" },
        { """{"name":"a","model":"gpt-4o-mini","messages":[{"role":"user","content":"{% if %}"}]}""", "messages[0].content", "does not parse" },
        { """{"name":"a","model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"params":{"temperature":2.5}}""", "params.temperature", "Between 0 and 2" },
        { """{"name":"a","model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"params":{"max_tokens":0}}""", "params.max_tokens", "At least 1" },
        { """{"name":"a","model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"params":{"stop":["1","2","3","4","5"]}}""", "params.stop", "at most 4" },
        { """{"name":"a","model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"params":{"client_overridable":["model"]}}""", "params.client_overridable", "not a parameter" },
        { """{"name":"a","model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"temprature":1}""", "temprature", "Unknown field" },
        { """{"name":"a","model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"params":{"temprature":1}}""", "params.temprature", "Unknown field" },
        { """{"name":"a","model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"params":{"temperature":"hot"}}""", "params.temperature", "Wrong type" },
        { """{"name":"a","model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"variables":[{"name":"v","required":true,"default":"d"}]}""", "variables[0].default", "cannot have a default" },
        { """{"name":"a","model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"variables":[{"name":"v"},{"name":"v"}]}""", "variables[1].name", "declared twice" },
        { """{"name":"a","model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"system_message_policy":"merge"}""", "system_message_policy", "One of" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Refuses_with_the_field_and_a_reason(string json, string field, string reason)
    {
        var result = Validate(json);

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Field == field && e.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Reports_every_problem_at_once()
    {
        var result = Validate("""{"name":"a","model":"gpt-9","messages":[{"role":"user","content":"{{ nope }}"}],"params":{"temperature":9},"extra":true}""");

        Assert.Equal(["extra", "messages[0].content", "model", "params.temperature"], result.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_id_ignores_key_order_whitespace_nulls_and_the_changelog_line()
    {
        var a = Validate("""{"name":"a","model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"params":{"temperature":0.5,"top_p":1},"message":"one"}""");
        var b = Validate("""
            { "params": { "top_p": 1, "temperature": 0.5 }, "messages": [ { "content": "x", "role": "user" } ],
              "model": "gpt-4o-mini", "name": "a", "label": null, "message": "two", "system_message_policy": "keep" }
            """);
        var c = Validate("""{"name":"a","model":"gpt-4o-mini","messages":[{"role":"user","content":"x "}],"params":{"temperature":0.5,"top_p":1}}""");

        Assert.Equal(a.Id, b.Id);
        Assert.NotEqual(a.Id, c.Id);
    }

    [Theory]
    [InlineData("{{ a }}{{ b.c }}{{ d | upcase }}", "a,b,d")]
    [InlineData("{% for x in items %}{{ x }} {{ forloop.index }}{% endfor %}", "items")]
    [InlineData("{% assign y = z %}{{ y }}{% capture w %}{{ v }}{% endcapture %}{{ w }}", "v,z")]
    [InlineData("{% if flag %}{{ shown }}{% else %}{{ other }}{% endif %}", "flag,other,shown")]
    [InlineData("plain text", "")]
    public void Finds_the_free_variables_of_a_template(string template, string expected)
    {
        var analyzer = new PromptTemplateAnalyzer();
        Assert.True(analyzer.TryParse(template, out var parsed, out var error), error);

        var variables = PromptTemplateAnalyzer.FreeVariables(parsed!);

        Assert.Equal(expected, string.Join(",", variables.Order(StringComparer.Ordinal)));
    }

    private static PromptValidationResult Validate(string json) => Validator.Validate(Encoding.UTF8.GetBytes(json));
}
