using System.Text.Json.Nodes;
using LlmGateway.Sampling.Redaction;

namespace LlmGateway.Tests.Sampling.Redaction;

public sealed class TextRedactorJsonTests
{
    private static readonly TextRedactor Redactor = new(new MarkerRedactorProvider());

    [Fact]
    public void Every_string_value_in_the_tree_is_redacted_in_place_and_property_names_are_kept()
    {
        var sample = JsonNode.Parse("""
            {
              "model": "gpt-4o",
              "ops@example.com": "key as name stays",
              "messages": [
                { "role": "user", "content": "I am ops@example.com, call (555) 123-4567" },
                { "role": "assistant", "content": [ { "type": "text", "text": "Noted: 10.0.0.1" } ] }
              ],
              "metadata": { "nested": { "deeper": ["sk-proj-abc123DEF456ghi789JKL012mno345", 42, true, null] } },
              "max_tokens": 4111111111111111
            }
            """);
        var tally = new RedactionTally();

        Redactor.RedactJson(sample, tally);

        Assert.Equal(
            """{"model":"gpt-4o","ops@example.com":"key as name stays","messages":[{"role":"user","content":"I am [REDACTED:email], call [REDACTED:phone]"},{"role":"assistant","content":[{"type":"text","text":"Noted: [REDACTED:ip]"}]}],"metadata":{"nested":{"deeper":["[REDACTED:api_key]",42,true,null]}},"max_tokens":4111111111111111}""",
            sample!.ToJsonString());
        Assert.Equal(new Dictionary<string, int> { ["email"] = 1, ["phone"] = 1, ["ip"] = 1, ["api_key"] = 1 }, tally.Counts);
    }

    [Fact]
    public void Credentials_in_fields_meant_to_carry_them_are_replaced_whatever_they_look_like()
    {
        // A Responses request with remote MCP tools: an OAuth token, a server's own header and a secret in the URL's path,
        // none of which a pattern knows by its text.
        var request = JsonNode.Parse("""
            {"model":"gpt-4o","input":"list my files","tools":[
              {"type":"mcp","server_label":"dropbox","connector_id":"connector_dropbox","authorization":"sl.u.AbCdEf0123456789xyz","require_approval":"never"},
              {"type":"mcp","server_label":"crm","server_url":"https://mcp.example.com/s/8f2c41d07be9/mcp?key=77aa","headers":{"X-Api-Key":"3f9a1c55e0","X-Tenant":"acme-eu"}}]}
            """);
        var tally = new RedactionTally();

        Redactor.RedactJson(request, tally);

        Assert.Equal(
            """{"model":"gpt-4o","input":"list my files","tools":[{"type":"mcp","server_label":"dropbox","connector_id":"connector_dropbox","authorization":"[REDACTED:credential_field]","require_approval":"never"},{"type":"mcp","server_label":"crm","server_url":"https://mcp.example.com/[REDACTED:credential_field]","headers":{"X-Api-Key":"[REDACTED:credential_field]","X-Tenant":"[REDACTED:credential_field]"}}]}""",
            request!.ToJsonString());
        Assert.Equal(new Dictionary<string, int> { ["credential_field"] = 4 }, tally.Counts);
    }

    [Theory]
    [InlineData("authorization", "\"Bearer opaque\"")]
    [InlineData("Proxy-Authorization", "\"Basic dXNlcjpwYXNz\"")]
    [InlineData("access_token", "\"ya29.a0AfB_byC\"")]
    [InlineData("refresh_token", "\"1//0gLx\"")]
    [InlineData("id_token", "\"eyJhbGciOi\"")]
    [InlineData("api_key", "\"3f9a1c\"")]
    [InlineData("api-key", "\"3f9a1c\"")]
    [InlineData("apiKey", "\"3f9a1c\"")]
    [InlineData("X-API-KEY", "\"3f9a1c\"")]
    [InlineData("client_secret", "\"GOCSPX-abc\"")]
    [InlineData("password", "\"hunter2\"")]
    [InlineData("password", "123456")]
    [InlineData("secret", "\"s3cr3t\"")]
    [InlineData("token", "\"t0k3n\"")]
    [InlineData("Cookie", "\"session=abc\"")]
    public void A_credential_named_field_is_replaced_whole_in_any_case_or_spelling(string name, string value)
    {
        var node = JsonNode.Parse($$"""{"{{name}}":{{value}},"note":"kept"}""");
        var tally = new RedactionTally();

        Redactor.RedactJson(node, tally);

        Assert.Equal($$"""{"{{name}}":"[REDACTED:credential_field]","note":"kept"}""", node!.ToJsonString());
        Assert.Equal(1, tally.Counts["credential_field"]);
    }

    [Fact]
    public void A_tool_result_holding_json_text_with_tokens_has_them_replaced_and_its_other_fields_kept()
    {
        const string Result = """{"access_token":"ya29.a0AfB_byC0123","expires_in":3599,"refresh_token":"1//0gLx9","token_type":"Bearer"}""";
        var input = new JsonArray(
            new JsonObject { ["role"] = "tool", ["tool_call_id"] = "c1", ["content"] = Result },
            new JsonObject { ["type"] = "function_call_output", ["call_id"] = "c2", ["output"] = Result });
        var tally = new RedactionTally();

        Redactor.RedactJson(input, tally);

        const string Expected = """{"access_token":"[REDACTED:credential_field]","expires_in":3599,"refresh_token":"[REDACTED:credential_field]","token_type":"Bearer"}""";
        Assert.Equal(Expected, input[0]!["content"]!.GetValue<string>());
        Assert.Equal(Expected, input[1]!["output"]!.GetValue<string>());
        Assert.Equal(4, tally.Counts["credential_field"]);
    }

    [Fact]
    public void A_request_s_own_parameters_and_a_tool_s_parameter_schemas_are_not_credentials()
    {
        // A login tool's "password" parameter and an HTTP tool's "headers" are schemas, not values; max_tokens, a
        // prompt_cache_key and a table's "headers" column names are no secrets either.
        const string Json = """
            {"model":"gpt-4o","max_tokens":50,"prompt_cache_key":"user-42","tools":[{"type":"function","function":{"name":"login","parameters":{"type":"object","properties":{"password":{"type":"string","description":"the user's password"},"headers":{"type":"object","description":"extra headers"}},"required":["password"]}}}],"metadata":{"headers":["name","plan"]}}
            """;
        var node = JsonNode.Parse(Json);
        var tally = new RedactionTally();

        Redactor.RedactJson(node, tally);

        Assert.Equal(JsonNode.Parse(Json)!.ToJsonString(), node!.ToJsonString());
        Assert.Equal(0, tally.Total);
    }

    [Fact]
    public void A_properties_object_that_is_not_an_object_schema_s_is_data_and_read_by_name()
    {
        // Only a JSON Schema's properties are exempt: a client's variables shaped the same way are data.
        var node = JsonNode.Parse("""{"prompt_variables":{"properties":{"db_password":"hunter2","db_host":"db1"}}}""");
        var tally = new RedactionTally();

        Redactor.RedactJson(node, tally);

        Assert.Equal("[REDACTED:credential_field]", node!["prompt_variables"]!["properties"]!["db_password"]!.GetValue<string>());
        Assert.Equal("db1", node["prompt_variables"]!["properties"]!["db_host"]!.GetValue<string>());
        Assert.Equal(1, tally.Counts["credential_field"]);
    }

    [Fact]
    public void Cloud_access_keys_in_a_tree_are_credentials_and_a_nullable_object_schema_keeps_its_parameters()
    {
        // STS credentials in a tool result (the SecretAccessKey matched no name, and its pattern needs its literal
        // name beside it); a strict nullable schema ("type": ["object","null"]) has parameter names, not data.
        var node = JsonNode.Parse("""
            {"Credentials":{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},"aws_secret_access_key":"abc/def+ghi",
             "schema":{"type":["object","null"],"properties":{"headers":{"type":"object","description":"extra headers"}}}}
            """);
        var tally = new RedactionTally();

        Redactor.RedactJson(node, tally);

        Assert.Equal("[REDACTED:credential_field]", node!["Credentials"]!["SecretAccessKey"]!.GetValue<string>());
        Assert.Equal("[REDACTED:credential_field]", node["aws_secret_access_key"]!.GetValue<string>());
        Assert.Equal("extra headers", node["schema"]!["properties"]!["headers"]!["description"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("https://mcp.example.com", "https://mcp.example.com")]
    [InlineData("https://mcp.example.com/", "https://mcp.example.com/")]
    [InlineData("https://mcp.example.com:8443/sse", "https://mcp.example.com:8443/[REDACTED:credential_field]")]
    [InlineData("https://mcp.example.com?token=abc", "https://mcp.example.com[REDACTED:credential_field]")]
    [InlineData("https://user:pass@mcp.example.com/mcp", "https://[REDACTED:credential_field]")]
    [InlineData("mcp.example.com/s/8f2c", "[REDACTED:credential_field]")]
    [InlineData("https://10.0.0.1/mcp", "https://[REDACTED:ip]/[REDACTED:credential_field]")]
    public void A_server_url_keeps_its_scheme_and_host_only(string url, string expected)
    {
        var node = new JsonObject { ["server_url"] = url };

        Redactor.RedactJson(node, new RedactionTally());

        Assert.Equal(expected, node["server_url"]!.GetValue<string>());
    }

    [Fact]
    public void In_user_data_a_long_number_is_read_for_secrets_and_short_ones_are_left()
    {
        // Prompt variables: a card number sent as a JSON number is the same secret as in a string.
        var variables = JsonNode.Parse("""{"card":4111111111111111,"quantity":3,"price":12.5,"order":{"ids":[4111111111111111]}}""");
        var tally = new RedactionTally();

        Redactor.RedactJson(variables, tally, numbers: true);

        Assert.Equal("""{"card":"[REDACTED:card]","quantity":3,"price":12.5,"order":{"ids":["[REDACTED:card]"]}}""", variables!.ToJsonString());
    }

    [Fact]
    public void Values_built_in_code_rather_than_parsed_are_redacted_too()
    {
        var sample = new JsonObject
        {
            ["input"] = "mail ops@example.com",
            ["items"] = new JsonArray("10.0.0.1", "fine"),
        };

        Redactor.RedactJson(sample, new RedactionTally());

        Assert.Equal("""{"input":"mail [REDACTED:email]","items":["[REDACTED:ip]","fine"]}""", sample.ToJsonString());
    }

    [Fact]
    public void A_string_node_inside_a_tree_can_be_redacted_on_its_own()
    {
        var sample = new JsonObject { ["input"] = "ops@example.com" };

        Redactor.RedactJson(sample["input"], new RedactionTally());

        Assert.Equal("""{"input":"[REDACTED:email]"}""", sample.ToJsonString());
    }

    [Fact]
    public void A_bare_string_root_is_refused_rather_than_left_unredacted() =>
        Assert.Throws<ArgumentException>(() => Redactor.RedactJson(JsonValue.Create("ops@example.com"), new RedactionTally()));

    [Fact]
    public void Null_and_non_string_roots_are_left_alone()
    {
        var number = JsonValue.Create(4111111111111111);

        Redactor.RedactJson(null, new RedactionTally());
        Redactor.RedactJson(number, new RedactionTally());

        Assert.Equal("4111111111111111", number.ToJsonString());
    }
}
