using System.Text;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Errors;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Rewriting;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmGateway.Tests.Rewriting;

/// <summary>
/// Binding <c>prompt_variables</c> to a prepared bundle and rendering its Liquid templates: the exact texts,
/// and the exact error (status, code, param) for every refusal.
/// </summary>
public sealed class PromptRendererTests
{
    private static readonly ModelCatalog Catalog = new(new CatalogOptions
    {
        Providers = { ["p"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://x/v1" } },
        Models = { ["gpt-4o-mini"] = new CatalogModelOptions { Provider = "p" } },
    });

    private static readonly PromptTemplateAnalyzer Analyzer = new();

    private static readonly PreparedBundle Support = Prepare(
        [("system", "You help {{ company }} in {{ language }}."), ("user", "Order {{ order }}: {{ question }}"), ("assistant", "Looking up {{ order }}.")],
        new PromptVariable("company", true, null, null),
        new PromptVariable("language", false, "English", null),
        new PromptVariable("order", true, null, null),
        new PromptVariable("question", false, null, null));

    [Fact]
    public async Task Renders_every_template_in_order_with_the_supplied_variables()
    {
        var contents = await RenderOkAsync(Support, """{"prompt_variables":{"company":"Acme","language":"French","order":"A-42","question":"Where?"},"messages":[]}""");

        Assert.Equal(["You help Acme in French.", "Order A-42: Where?", "Looking up A-42."], contents);
    }

    [Fact]
    public async Task An_absent_variable_takes_its_default_and_an_optional_one_without_default_renders_empty()
    {
        var contents = await RenderOkAsync(Support, """{"prompt_variables":{"company":"Acme","order":"A-42"}}""");

        Assert.Equal(["You help Acme in English.", "Order A-42: ", "Looking up A-42."], contents);
    }

    [Fact]
    public async Task An_explicit_null_is_accepted_and_renders_empty_instead_of_the_default()
    {
        var contents = await RenderOkAsync(Support, """{"prompt_variables":{"company":"Acme","order":"A-42","language":null}}""");

        Assert.Equal("You help Acme in .", contents[0]);
    }

    [Theory]
    [InlineData("42", "42")]
    [InlineData("-7", "-7")]
    [InlineData("1.50", "1.50")]
    [InlineData("0.10", "0.10")]
    [InlineData("1e3", "1e3")]
    [InlineData("1E-2", "1E-2")]
    [InlineData("-0", "-0")]
    [InlineData("123456789012345678901234567890123", "123456789012345678901234567890123")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("\"<b>&amp; \\\"quoted\\\" 'x'</b>\"", "<b>&amp; \"quoted\" 'x'</b>")]
    [InlineData("\"line\\nbreak \\u00e9\"", "line\nbreak é")]
    [InlineData("\"\"", "")]
    public async Task A_scalar_renders_exactly_as_the_client_wrote_it_and_nothing_is_html_encoded(string json, string expected)
    {
        var bundle = Prepare([("system", "[{{ v }}]")], new PromptVariable("v", true, null, null));

        var contents = await RenderOkAsync(bundle, $$$"""{"prompt_variables":{"v":{{{json}}}}}""");

        Assert.Equal($"[{expected}]", Assert.Single(contents));
    }

    [Fact]
    public async Task A_number_is_a_number_to_liquid_filters()
    {
        var bundle = Prepare([("system", "{{ n | plus: 1 }} {% for i in (1..n) %}{{ i }}{% endfor %}")], new PromptVariable("n", true, null, null));

        var contents = await RenderOkAsync(bundle, """{"prompt_variables":{"n":3}}""");

        Assert.Equal("4 123", Assert.Single(contents));
    }

    [Theory]
    [InlineData("""{"prompt_variables":{"n":3}}""")]
    [InlineData("""{"prompt_variables":{}}""")]
    public async Task A_bounded_variable_left_to_its_default_is_the_same_number_a_client_would_send(string body)
    {
        var bundle = Prepare([("system", "{% if n == 3 %}three{% endif %} {% if n > 1 %}more{% endif %} {{ n | plus: 1 }}")], new PromptVariable("n", false, "3", null, 10));

        var contents = await RenderOkAsync(bundle, body);

        Assert.Equal("three more 4", Assert.Single(contents));
    }

    [Theory]
    [InlineData("true", "yes")]
    [InlineData("false", "no")]
    [InlineData("null", "no")]
    [InlineData("\"false\"", "yes")]
    public async Task A_boolean_is_a_boolean_to_liquid_conditions(string json, string expected)
    {
        var bundle = Prepare([("system", "{% if flag %}yes{% else %}no{% endif %}")], new PromptVariable("flag", false, null, null));

        var contents = await RenderOkAsync(bundle, $$$"""{"prompt_variables":{"flag":{{{json}}}}}""");

        Assert.Equal(expected, Assert.Single(contents));
    }

    [Fact]
    public async Task A_value_that_looks_like_liquid_is_text_and_is_not_evaluated()
    {
        var bundle = Prepare([("system", "Hi {{ name }}, secret stays {{ secret }}.")], new PromptVariable("name", true, null, null), new PromptVariable("secret", false, "hidden", null));

        var contents = await RenderOkAsync(bundle, """{"prompt_variables":{"name":"{{ secret }}{% if true %}!{% endif %}"}}""");

        Assert.Equal("Hi {{ secret }}{% if true %}!{% endif %}, secret stays hidden.", Assert.Single(contents));
    }

    [Fact]
    public async Task Undeclared_variables_are_ignored_whatever_their_kind()
    {
        var contents = await RenderOkAsync(Support, """{"prompt_variables":{"company":"Acme","order":"1","extra":{"a":1},"list":[1],"company2":"x"}}""");

        Assert.Equal("You help Acme in English.", contents[0]);
    }

    [Fact]
    public async Task A_bundle_without_variables_renders_its_text_and_ignores_prompt_variables()
    {
        var bundle = Prepare([("system", "Static."), ("developer", "")]);

        var contents = await RenderOkAsync(bundle, """{"prompt_variables":{"x":[1]},"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal(["Static.", ""], contents);
    }

    [Theory]
    [InlineData("""{"messages":[]}""", "company")]
    [InlineData("""{"prompt_variables":null}""", "company")]
    [InlineData("""{"prompt_variables":{}}""", "company")]
    [InlineData("""{"prompt_variables":{"order":"1"}}""", "company")]
    [InlineData("""{"prompt_variables":{"Company":"Acme","order":"1"}}""", "company")]
    [InlineData("""{"prompt_variables":{"company":"Acme"}}""", "order")]
    [InlineData("""{"prompt_variables":{"company":"Acme","question":"q"},"messages":[{"role":"assistant","content":"x"},{"role":"system","content":"y"}]}""", "order")]
    public async Task The_first_missing_required_variable_is_refused_by_name(string clientBody, string variable)
    {
        var error = await RenderErrorAsync(Support, clientBody);

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(new OpenAiError(
            $"The prompt 'bot' requires the variable '{variable}' in 'prompt_variables'.", "invalid_request_error", $"prompt_variables.{variable}", "missing_variable"), error.Body);
    }

    [Theory]
    [InlineData("""{"company":{"name":"Acme"},"order":"1"}""", "company", "object")]
    [InlineData("""{"company":"Acme","order":[1,2]}""", "order", "array")]
    [InlineData("""{"company":"Acme","language":{}}""", "language", "object")]
    [InlineData("""{"company":"Acme","order":"1","question":[]}""", "question", "array")]
    public async Task A_variable_that_is_not_a_scalar_is_refused_by_name(string variables, string variable, string kind)
    {
        var error = await RenderErrorAsync(Support, $$"""{"prompt_variables":{{variables}}}""");

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(new OpenAiError(
            $"The variable '{variable}' must be a string, number, boolean or null, not an {kind}.", "invalid_request_error", $"prompt_variables.{variable}", "invalid_variable"), error.Body);
    }

    [Theory]
    [InlineData("""{"prompt_variables":"Acme"}""")]
    [InlineData("""{"prompt_variables":["Acme"]}""")]
    [InlineData("""{"prompt_variables":1}""")]
    [InlineData("""{"prompt_variables":false}""")]
    public async Task Prompt_variables_that_are_not_an_object_are_refused(string clientBody)
    {
        var error = await RenderErrorAsync(Support, clientBody);

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(new OpenAiError(
            "'prompt_variables' must be a JSON object of template variables.", "invalid_request_error", "prompt_variables", "invalid_prompt_variables"), error.Body);
    }

    [Theory]
    [InlineData("""{"messages":{"role":"user"},"prompt_variables":{"company":"Acme","order":"1"}}""")]
    [InlineData("""{"messages":"Hi","prompt_variables":"not an object either"}""")]
    [InlineData("""{"messages":null}""")]
    public async Task Messages_that_are_not_an_array_are_refused_before_anything_else(string clientBody)
    {
        var error = await RenderErrorAsync(Support, clientBody);

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(new OpenAiError("'messages' must be an array of chat messages.", "invalid_request_error", "messages", "invalid_value"), error.Body);
    }

    [Fact]
    public async Task A_multi_turn_request_renders_only_the_system_and_developer_templates()
    {
        var bundle = Prepare(
            [("system", "S {{ a }}"), ("user", "U {{ b }}"), ("developer", "D {{ c }}"), ("assistant", "A {{ b }}")],
            new PromptVariable("a", true, null, null), new PromptVariable("b", true, null, null), new PromptVariable("c", false, "dc", null));

        var contents = await RenderOkAsync(bundle, """{"prompt_variables":{"a":"1"},"messages":[{"role":"system","content":"x"},{"role":"user","content":"Hi"}]}""");

        Assert.Equal(["S 1", "", "D dc", ""], contents);
    }

    [Fact]
    public async Task A_multi_turn_request_still_requires_what_the_instructions_read()
    {
        var bundle = Prepare(
            [("system", "S"), ("developer", "D {{ a }}"), ("user", "U {{ b }}")],
            new PromptVariable("a", true, null, null), new PromptVariable("b", true, null, null));

        var error = await RenderErrorAsync(bundle, """{"prompt_variables":{"b":"1"},"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal("missing_variable", error.Body.Code);
        Assert.Equal("prompt_variables.a", error.Body.Param);
        Assert.Equal(["a"], bundle.InstructionVariables);
    }

    [Fact]
    public async Task A_multi_turn_request_requires_a_variable_an_instruction_reads_before_it_reassigns_it()
    {
        var bundle = Prepare(
            [("system", "{% assign a = a | strip %}S {{ a }}"), ("user", "U {{ b }}")],
            new PromptVariable("a", true, null, null), new PromptVariable("b", true, null, null));

        var error = await RenderErrorAsync(bundle, """{"prompt_variables":{"b":"1"},"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal("missing_variable", error.Body.Code);
        Assert.Equal("prompt_variables.a", error.Body.Param);
    }

    [Theory]
    [InlineData("{% for i in (1..a) %}S{% endfor %}")]
    [InlineData("{% capture c %}{{ a | strip }}{% endcapture %}S {{ c }}")]
    public async Task A_multi_turn_request_requires_what_an_instruction_reads_inside_a_range_or_a_capture(string system)
    {
        // The templates render hardened (ranges and captures capped); what they read is known from them as written.
        var bundle = Prepare([("system", system), ("user", "U")], new PromptVariable("a", true, null, null, 10));

        var error = await RenderErrorAsync(bundle, """{"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal("prompt_variables.a", error.Body.Param);
    }

    [Fact]
    public void A_bundle_that_prints_the_date_inside_a_capture_is_rendered_every_time()
    {
        var bundle = Prepare([("system", "{% capture today %}{{ 'now' | date: '%Y-%m-%d' }}{% endcapture %}Today is {{ today }}.")]);

        Assert.Null(bundle.Renders);
    }

    [Fact]
    public async Task Loop_ranges_render_as_Fluid_renders_them_under_their_cap()
    {
        var bundle = Prepare([("system", "{% for i in (1..3) %}{% for j in (2..1) %}x{% endfor %}{% for j in (0..1) %}{{ i }}{{ j }},{% endfor %}{% endfor %}{{ (1..4) | join: '' }}")]);

        var contents = await RenderOkAsync(bundle, """{"messages":[]}""");

        Assert.Equal(["10,11,20,21,30,31,1234"], contents);
    }

    [Fact]
    public async Task A_multi_turn_request_still_refuses_a_non_scalar_for_a_variable_no_rendered_template_reads()
    {
        var error = await RenderErrorAsync(Support, """{"prompt_variables":{"company":"Acme","order":{"id":1}},"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal("invalid_variable", error.Body.Code);
        Assert.Equal("prompt_variables.order", error.Body.Param);
    }

    [Fact]
    public async Task A_single_turn_request_renders_every_template_so_every_required_variable_is_needed()
    {
        var error = await RenderErrorAsync(Support, """{"prompt_variables":{"company":"Acme"},"messages":[{"role":"system","content":"x"},{"role":"tool","content":"y"},{"role":"developer","content":"z"}]}""");

        Assert.Equal("prompt_variables.order", error.Body.Param);
    }

    [Theory]
    [InlineData("""[]""", false)]
    [InlineData("""[{"role":"user","content":"Hi"}]""", true)]
    [InlineData("""[{"role":"system","content":"x"},{"role":"assistant","content":"y"},{"role":"user","content":"Hi"}]""", true)]
    [InlineData("""[{"role":"system","content":"x"},{"role":"developer","content":"y"},{"role":"assistant","content":"z"},{"role":"tool","content":"t"}]""", false)]
    [InlineData("""[{"content":"no role"},"not an object",[1]]""", false)]
    [InlineData("""[{"role":"system","role":"user","content":"two roles"}]""", false)]
    [InlineData("""[{"role":"user","role":"user","content":"the same role twice"}]""", true)]
    [InlineData("""[{"role":"User","content":"case matters"}]""", false)]
    [InlineData("""[{"role":null,"content":"x"},{"role":1,"content":"y"}]""", false)]
    [InlineData("""[{"content":{"role":"user"}}]""", false)]
    public void A_request_is_multi_turn_exactly_when_a_message_is_a_user_turn(string messages, bool multiTurn)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"model":"prompt:bot","messages":{{messages}}}""");
        var scan = RequestBodyScanner.Scan(body);
        Assert.True(scan.IsValid, scan.Error);

        Assert.Equal(multiTurn, PromptConversation.IsMultiTurn(scan));
    }

    [Fact]
    public async Task A_rendering_failure_is_a_500_that_names_the_bundle_and_logs_no_template_or_value()
    {
        var bundle = Prepare([("system", "SECRET-TEMPLATE {{ n | divided_by: 0 }}")], new PromptVariable("n", true, null, null));
        using var logs = new CapturingLoggerProvider();
        using var factory = new LoggerFactory([logs]);

        var (contents, error) = await new PromptRenderer(factory.CreateLogger<PromptRenderer>()).RenderAsync(bundle, Scan("""{"prompt_variables":{"n":"SECRET-VALUE"}}"""));

        Assert.Null(contents);
        Assert.NotNull(error);
        Assert.Equal(500, error.StatusCode);
        Assert.Equal(new OpenAiError("Rendering the prompt 'bot' v3 failed. The gateway's logs have the details.", "server_error", null, "template_error"), error.Body);
        var line = Assert.Single(logs.Lines, l => l.Category == typeof(PromptRenderer).FullName);
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Contains("Rendering prompt 'bot' v3 failed with", line.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", line.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_prepared_bundle_renders_concurrent_requests_without_sharing_their_variables()
    {
        var renderer = new PromptRenderer(NullLogger<PromptRenderer>.Instance);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
            (i, (await renderer.RenderAsync(Support, Scan($$$"""{"prompt_variables":{"company":"C{{{i}}}","order":{{{i}}}}}"""))).Contents))));

        foreach (var (i, contents) in results)
        {
            Assert.Equal([$"You help C{i} in English.", $"Order {i}: ", $"Looking up {i}."], contents!);
        }
    }

    [Fact]
    public async Task The_same_values_render_once_then_come_from_the_bundles_memo_in_any_order()
    {
        var bundle = Prepare([("system", "Hi {{ a }} {{ b }}")], new PromptVariable("a", false, null, null), new PromptVariable("b", false, "B", null));

        var first = await RenderOkAsync(bundle, """{"prompt_variables":{"a":"x","b":"y"}}""");
        var again = await RenderOkAsync(bundle, """{"prompt_variables":{"b":"y","a":"x","undeclared":"z"}}""");
        var other = await RenderOkAsync(bundle, """{"prompt_variables":{"a":"x"}}""");

        Assert.Equal(["Hi x y"], first);
        Assert.Same(first, again);
        Assert.Equal(["Hi x B"], other);
        Assert.Equal(2, bundle.Renders!.Count);
    }

    [Fact]
    public async Task Values_that_read_alike_when_joined_are_remembered_apart()
    {
        var bundle = Prepare([("system", "[{{ a }}|{{ b }}]")], new PromptVariable("a", false, null, null), new PromptVariable("b", false, null, null));

        Assert.Equal(["[1:x|]"], await RenderOkAsync(bundle, """{"prompt_variables":{"a":"1:x","b":""}}"""));
        Assert.Equal(["[1|:x]"], await RenderOkAsync(bundle, """{"prompt_variables":{"a":"1","b":":x"}}"""));
        Assert.Equal(["[|1:x]"], await RenderOkAsync(bundle, """{"prompt_variables":{"b":"1:x"}}"""));
        Assert.Equal(["[1:x|]"], await RenderOkAsync(bundle, """{"prompt_variables":{"a":"1:x","b":""}}"""));
    }

    [Fact]
    public async Task A_multi_turn_render_is_remembered_apart_from_a_single_turn_one()
    {
        var bundle = Prepare([("system", "S {{ a }}"), ("user", "U {{ a }}")], new PromptVariable("a", true, null, null));

        var single = await RenderOkAsync(bundle, """{"prompt_variables":{"a":"x"},"messages":[]}""");
        var multi = await RenderOkAsync(bundle, """{"prompt_variables":{"a":"x"},"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal(["S x", "U x"], single);
        Assert.Equal(["S x", ""], multi);
    }

    [Fact]
    public async Task A_template_that_reads_the_clock_renders_every_time()
    {
        var bundle = Prepare([("system", "In {{ 'now' | date: '%Y' }} for {{ a }}")], new PromptVariable("a", false, null, null));

        var first = await RenderOkAsync(bundle, """{"prompt_variables":{"a":"x"}}""");
        var again = await RenderOkAsync(bundle, """{"prompt_variables":{"a":"x"}}""");

        Assert.Null(bundle.Renders);
        Assert.NotSame(first, again);
        Assert.EndsWith(" for x", again[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Values_too_long_to_remember_still_render_and_are_not_kept()
    {
        var bundle = Prepare([("system", "{{ a }}")], new PromptVariable("a", false, null, null));
        var longValue = new string('v', RenderMemo.MaxKeyChars);

        var contents = await RenderOkAsync(bundle, $$$"""{"prompt_variables":{"a":"{{{longValue}}}"}}""");

        Assert.Equal([longValue], contents);
        Assert.Equal(0, bundle.Renders!.Count);
    }

    [Fact]
    public void Memos_sharing_a_budget_keep_no_more_than_it_and_give_it_back_when_they_start_over()
    {
        var budget = new RenderMemoBudget(10_000);
        var first = new RenderMemo(budget);
        var second = new RenderMemo(budget);

        first.Add("a", [new string('x', 60)]);
        second.Add("b", [new string('y', 9_950)]);

        Assert.True(first.TryGet("a", out _));
        Assert.False(second.TryGet("b", out _));
        Assert.Equal(61, budget.Used);

        // Enough small renders to fill the first memo's entries: it starts over, giving back what it held.
        for (var i = 0; i < RenderMemo.Capacity; i++)
        {
            first.Add($"{i}", []);
        }

        Assert.False(first.TryGet("a", out _));
        Assert.True(budget.Used < 10, $"{budget.Used} characters still taken");
        second.Add("b", [new string('y', 9_950)]);
        Assert.True(second.TryGet("b", out _));
    }

    [Fact]
    public void A_budget_held_by_memos_no_longer_in_use_starts_every_memo_over_after_enough_refusals()
    {
        var budget = new RenderMemoBudget(10_000);
        var old = new RenderMemo(budget);
        var current = new RenderMemo(budget);
        old.Add("a", [new string('x', 9_990)]);

        // The old version's memo never fills its entries, so it never starts over on its own.
        for (var i = 0; i < RenderMemoBudget.RefusalsBeforeStartOver - 1; i++)
        {
            current.Add($"{i}", [new string('y', 100)]);
        }

        Assert.True(old.TryGet("a", out _));
        Assert.Equal(0, current.Count);

        current.Add("last", [new string('y', 100)]);
        current.Add("kept", [new string('y', 100)]);

        Assert.False(old.TryGet("a", out _));
        Assert.True(current.TryGet("kept", out _));
        Assert.Equal(104, budget.Used);
    }

    [Fact]
    public void A_memo_no_longer_held_gives_its_share_of_the_budget_back_when_collected()
    {
        var budget = new RenderMemoBudget(10_000);
        Assert.Equal(9_991, FillAMemoAndDropIt(budget));

        GC.Collect();
        GC.WaitForPendingFinalizers();

        Assert.Equal(0, budget.Used);
    }

    // Its own frame, not inlined: nothing the test holds keeps the memo alive. Returns what the memo held, read while
    // it is still alive.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static long FillAMemoAndDropIt(RenderMemoBudget budget)
    {
        var memo = new RenderMemo(budget);
        memo.Add("a", [new string('x', 9_990)]);
        var used = budget.Used;
        GC.KeepAlive(memo);
        return used;
    }

    [Fact]
    public void A_full_memo_starts_over_and_a_large_render_is_not_kept()
    {
        var memo = new RenderMemo();
        for (var i = 0; i < RenderMemo.Capacity; i++)
        {
            memo.Add($"k{i}", ["x"]);
        }

        Assert.Equal(RenderMemo.Capacity, memo.Count);
        memo.Add("one more", ["y"]);
        Assert.Equal(1, memo.Count);
        Assert.True(memo.TryGet("one more", out var kept));
        Assert.Equal(["y"], kept);

        memo.Add("large", [new string('x', RenderMemo.MaxRenderedChars), "!"]);
        Assert.False(memo.TryGet("large", out _));
    }

    private static PreparedBundle Prepare((string Role, string Content)[] messages, params PromptVariable[] variables)
    {
        var bundle = new PromptBundle
        {
            Id = "id", Name = "bot", Version = 3, Author = "t", Model = "gpt-4o-mini",
            Messages = [.. messages.Select(m => new PromptMessageTemplate(m.Role, m.Content))],
            Variables = variables,
        };
        var (prepared, problem) = new BundlePreparer(Analyzer, Catalog).Prepare(bundle);
        Assert.True(prepared is not null, problem);
        return prepared;
    }

    private static RequestScan Scan(string clientBody)
    {
        var scan = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes(clientBody));
        Assert.True(scan.IsValid, scan.Error);
        return scan;
    }

    private static async Task<string[]> RenderOkAsync(PreparedBundle bundle, string clientBody)
    {
        var (contents, error) = await new PromptRenderer(NullLogger<PromptRenderer>.Instance).RenderAsync(bundle, Scan(clientBody));
        Assert.True(error is null, error?.Body.Message);
        Assert.NotNull(contents);
        return contents;
    }

    private static async Task<GatewayError> RenderErrorAsync(PreparedBundle bundle, string clientBody)
    {
        var (contents, error) = await new PromptRenderer(NullLogger<PromptRenderer>.Instance).RenderAsync(bundle, Scan(clientBody));
        Assert.Null(contents);
        Assert.NotNull(error);
        return error;
    }
}
