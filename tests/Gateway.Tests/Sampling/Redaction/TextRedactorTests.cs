using LlmGateway.Sampling.Redaction;

namespace LlmGateway.Tests.Sampling.Redaction;

public sealed class TextRedactorTests
{
    private static readonly TextRedactor Redactor = new(new MarkerRedactorProvider());

    [Theory]
    [InlineData("mail john.doe+test@example.co.uk today", "mail [REDACTED:email] today", "email")]
    [InlineData("<ops@corp.example.com>", "<[REDACTED:email]>", "email")]
    [InlineData("call (555) 123-4567 now", "call [REDACTED:phone] now", "phone")]
    [InlineData("call 555-123-4567.", "call [REDACTED:phone].", "phone")]
    [InlineData("call 555.123.4567", "call [REDACTED:phone]", "phone")]
    [InlineData("uk +44 20 7946 0958", "uk [REDACTED:phone]", "phone")]
    [InlineData("us +1 (555) 123-4567", "us [REDACTED:phone]", "phone")]
    [InlineData("us +1 555 123 4567, thanks", "us [REDACTED:phone], thanks", "phone")]
    [InlineData("e164 +14155552671", "e164 [REDACTED:phone]", "phone")]
    [InlineData("london 020 7946 0958", "london [REDACTED:phone]", "phone")]
    [InlineData("visa 4111 1111 1111 1111", "visa [REDACTED:card]", "card")]
    [InlineData("visa 4111-1111-1111-1111 exp", "visa [REDACTED:card] exp", "card")]
    // A printed card and its CVV: matched whole as 19 digits, which fail Luhn; the card before it is one.
    [InlineData("visa 4111 1111 1111 1111 123 please", "visa [REDACTED:card] 123 please", "card")]
    [InlineData("visa 4012-6741-2759-7748-51", "visa [REDACTED:card]-51", "card")]
    [InlineData("card=4111111111111111", "card=[REDACTED:card]", "card")]
    [InlineData("mc 5555555555554444", "mc [REDACTED:card]", "card")]
    [InlineData("mc2 2223003122003222", "mc2 [REDACTED:card]", "card")]
    [InlineData("amex 3782 822463 10005", "amex [REDACTED:card]", "card")]
    [InlineData("amex 378282246310005", "amex [REDACTED:card]", "card")]
    [InlineData("from 192.168.1.10:8080", "from [REDACTED:ip]:8080", "ip")]
    [InlineData("host 10.0.15.1", "host [REDACTED:ip]", "ip")]
    [InlineData("edge 255.255.255.255 ok", "edge [REDACTED:ip] ok", "ip")]
    [InlineData("v6 2001:0db8:85a3:0000:0000:8a2e:0370:7334", "v6 [REDACTED:ip]", "ip")]
    [InlineData("v6 2001:db8::8a2e:370:7334 up", "v6 [REDACTED:ip] up", "ip")]
    [InlineData("mapped ::ffff:192.168.1.1", "mapped [REDACTED:ip]", "ip")]
    [InlineData("key sk-proj-abc123DEF456ghi789JKL012mno345", "key [REDACTED:api_key]", "api_key")]
    [InlineData("OPENAI_API_KEY=sk-1234567890abcdefghijklmnopqrstuv", "OPENAI_API_KEY=[REDACTED:api_key]", "api_key")]
    [InlineData("use gwk_q3Z8v0Xk2LrT9bN4wYc7HfJ1sPmA6dEuGiK5oRtV_x-", "use [REDACTED:api_key]", "api_key")]
    [InlineData("GATEWAY_ADMIN_TOKEN=gwa_q3Z8v0Xk2LrT9bN4wYc7HfJ1sPmA6dEuGiK5oRtV_x-", "GATEWAY_ADMIN_TOKEN=[REDACTED:api_key]", "api_key")]
    [InlineData("slack xoxb-1234567890-abcdefghij", "slack [REDACTED:api_key]", "api_key")]
    [InlineData("gh ghp_abcdefghijklmnopqrstuvwxyz0123456789", "gh [REDACTED:api_key]", "api_key")]
    [InlineData("gh github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "gh [REDACTED:api_key]", "api_key")]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc-_def", "Authorization: Bearer [REDACTED:bearer_token]", "bearer_token")]
    [InlineData("authorization: bearer abcdef0123456789==", "authorization: bearer [REDACTED:bearer_token]", "bearer_token")]
    [InlineData("Bearer \t tok_0123456789abcdef", "Bearer \t [REDACTED:bearer_token]", "bearer_token")]
    [InlineData("id AKIAIOSFODNN7EXAMPLE", "id [REDACTED:aws_access_key]", "aws_access_key")]
    [InlineData("sts ASIAY34FZKBOKMUTVV7A.", "sts [REDACTED:aws_access_key].", "aws_access_key")]
    [InlineData("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = [REDACTED:aws_secret_key]", "aws_secret_key")]
    // In JSON text its field's name claims it first (a credential field counts as one, whatever pattern it also matches).
    [InlineData("{\"AWS_SECRET_ACCESS_KEY\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}", "{\"AWS_SECRET_ACCESS_KEY\": \"[REDACTED:credential_field]\"}", "credential_field")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA+5551234567\n-----END RSA PRIVATE KEY-----\nthanks", "[REDACTED:private_key]\nthanks", "private_key")]
    [InlineData("x -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----", "x [REDACTED:private_key]", "private_key")]
    [InlineData("cut off: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "cut off: [REDACTED:private_key]", "private_key")]
    public void A_sensitive_value_is_replaced_by_its_kind_marker_and_counted(string input, string expected, string kind)
    {
        var tally = new RedactionTally();

        Assert.Equal(expected, Redactor.Redact(input, tally));
        Assert.Equal(new Dictionary<string, int> { [kind] = 1 }, tally.Counts);
        Assert.Equal(1, tally.Total);
    }

    [Theory]
    [InlineData("In 2024 we shipped 3 releases.")]
    [InlineData("It costs $1234.56, or 1,234,567.89 in total.")]
    [InlineData("Order 12345 and order #987654 shipped.")]
    [InlineData("Upgrade from 1.2.3 to 10.0.15 (v1.2.3.4 is old).")]
    [InlineData("Released on 2024-07-20 and 20.07.2024 and 07/20/2024.")]
    [InlineData("At 2024-07-20T12:30:45.123Z and 2024-07-20T12:30:45+02:00 and 12:30:45.")]
    [InlineData("Used 128000 tokens of 200000; 1721478645123 ms since epoch; 20240720123045.")]
    [InlineData("Non-Luhn 4111111111111112 and 1234567812345678.")]
    [InlineData("sk is a word, so is sk-learn-compatible-estimators.")]
    [InlineData("The Bearer of bad news; bearer responsibility; a Bearer")]
    [InlineData("sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    [InlineData("commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12")]
    [InlineData("uuid 550e8400-e29b-41d4-a716-446655440000 and 123e4567-e89b-12d3-a456-426614174000")]
    [InlineData("Short: 555-1234, 123-45, +1 555, +12345678.")]
    [InlineData("Deltas: +1234567.89 and +42%.")]
    [InlineData("Not an address: 256.1.1.1 or 1.2.3.4.5 or x[1::2] or std::vector or dead::beef.")]
    [InlineData("pi is 3.14159265358979 and e is 2.718281828459045")]
    [InlineData("user@localhost and @handle and a@b")]
    [InlineData("AKIA alone, AKIAIOSFODNN7EXAMPL too short")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----")]
    [InlineData("")]
    public void Ordinary_text_comes_back_unchanged(string input)
    {
        var tally = new RedactionTally();

        Assert.Same(input, Redactor.Redact(input, tally));
        Assert.Empty(tally.Counts);
        Assert.Equal(0, tally.Total);
    }

    [Theory]
    [InlineData("Authorization: Bearer sk-proj-abc123DEF456ghi789JKL012mno345", "Authorization: Bearer [REDACTED:bearer_token]", "bearer_token")]
    [InlineData("key sk-proj-555-123-4567-abcdefghijklmnop", "key [REDACTED:api_key]", "api_key")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nops@example.com 4111111111111111 10.0.0.1\n-----END PRIVATE KEY-----", "[REDACTED:private_key]", "private_key")]
    public void An_earlier_detector_claims_the_text_so_its_parts_are_not_reported_again(string input, string expected, string kind)
    {
        var tally = new RedactionTally();

        Assert.Equal(expected, Redactor.Redact(input, tally));
        Assert.Equal(new Dictionary<string, int> { [kind] = 1 }, tally.Counts);
    }

    [Theory]
    // JSON text as written, a Python dict's repr (a tool's result often is one), pretty-printed JSON.
    [InlineData("{\"access_token\":\"ya29.a0AfB_byC\",\"token_type\":\"Bearer\",\"expires_in\":3599}", "{\"access_token\":\"[REDACTED:credential_field]\",\"token_type\":\"Bearer\",\"expires_in\":3599}", 1)]
    [InlineData("{'password': 'hunter2', 'user': 'bob'}", "{'password': '[REDACTED:credential_field]', 'user': 'bob'}", 1)]
    [InlineData("{\n  \"Client-Secret\" : \"GOCSPX-abc\"\n}", "{\n  \"Client-Secret\" : \"[REDACTED:credential_field]\"\n}", 1)]
    // The whole value, an escaped quote included, and a value the text cut off to its end.
    [InlineData("{\"password\":\"a\\\"b c\",\"n\":1}", "{\"password\":\"[REDACTED:credential_field]\",\"n\":1}", 1)]
    [InlineData("result: {\"api_key\":\"3f9a1c55e0", "result: {\"api_key\":\"[REDACTED:credential_field]", 1)]
    // Every value of a headers object, names kept; a server_url's path and query.
    [InlineData("{\"headers\":{\"X-Tenant\":\"acme\",\"X-Sig\":\"9f8e\"},\"ok\":true}", "{\"headers\":{\"X-Tenant\":\"[REDACTED:credential_field]\",\"X-Sig\":\"[REDACTED:credential_field]\"},\"ok\":true}", 2)]
    [InlineData("{\"server_url\":\"https://mcp.example.com/s/8f2c/mcp\"}", "{\"server_url\":\"https://mcp.example.com/[REDACTED:credential_field]\"}", 1)]
    // Headers objects nested in one, and one left unclosed: each value claimed once (the scan goes past a claimed object).
    [InlineData("{\"headers\":{\"a\":\"1\",\"headers\":{\"b\":\"2\"}},\"c\":\"3\"}", "{\"headers\":{\"a\":\"[REDACTED:credential_field]\",\"headers\":{\"b\":\"[REDACTED:credential_field]\"}},\"c\":\"3\"}", 2)]
    [InlineData("\"headers\":{\"headers\":{\"headers\":{\"x\":\"y", "\"headers\":{\"headers\":{\"headers\":{\"x\":\"[REDACTED:credential_field]", 1)]
    // A pattern's secret in a credential field counts as the field's.
    [InlineData("{\"Authorization\": \"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0\"}", "{\"Authorization\": \"[REDACTED:credential_field]\"}", 1)]
    public void A_credential_named_field_in_json_text_has_its_value_replaced(string input, string expected, int count)
    {
        var tally = new RedactionTally();

        Assert.Equal(expected, Redactor.Redact(input, tally));
        Assert.Equal(new Dictionary<string, int> { ["credential_field"] = count }, tally.Counts);
    }

    [Theory]
    [InlineData("{\"max_tokens\":\"50\",\"token_type\":\"Bearer\",\"prompt_cache_key\":\"user-42\",\"headers\":[\"name\",\"plan\"]}")]
    [InlineData("Ask for the token: it is in the key vault. The password field is empty.")]
    [InlineData("{\"password\":\"\",\"token\":null,\"secret\":123}")]
    public void Text_with_credential_words_but_no_credential_value_comes_back_unchanged(string input)
    {
        var tally = new RedactionTally();

        Assert.Same(input, Redactor.Redact(input, tally));
        Assert.Equal(0, tally.Total);
    }

    [Fact]
    public void The_tally_counts_every_replacement_per_kind()
    {
        var tally = new RedactionTally();

        var redacted = Redactor.Redact("a@example.com, b@example.org, 10.0.0.1, (555) 123-4567 and AKIAIOSFODNN7EXAMPLE", tally);
        Redactor.Redact("c@example.net", tally);

        Assert.Equal("[REDACTED:email], [REDACTED:email], [REDACTED:ip], [REDACTED:phone] and [REDACTED:aws_access_key]", redacted);
        Assert.Equal(new Dictionary<string, int> { ["email"] = 3, ["ip"] = 1, ["phone"] = 1, ["aws_access_key"] = 1 }, tally.Counts);
        Assert.Equal(6, tally.Total);
    }

    [Fact]
    public void Custom_patterns_are_redacted_with_their_name_as_kind_alongside_the_built_ins()
    {
        var redactor = Redactor.WithPatterns(new Dictionary<string, string> { ["order_id"] = @"ORD-\d{6}" });
        var tally = new RedactionTally();

        var redacted = redactor.Redact("ORD-123456 for ops@example.com", tally);

        Assert.Equal("[REDACTED:order_id] for [REDACTED:email]", redacted);
        Assert.Equal(new Dictionary<string, int> { ["order_id"] = 1, ["email"] = 1 }, tally.Counts);
    }

    [Fact]
    public void With_patterns_keeps_the_patterns_of_the_instance_it_starts_from()
    {
        var gateway = new TextRedactor(new MarkerRedactorProvider(), new Dictionary<string, string> { ["employee"] = "EMP[0-9]{4}" });
        var prompt = gateway.WithPatterns(new Dictionary<string, string> { ["order_id"] = "ORD-[0-9]{6}" });

        Assert.Equal("[REDACTED:employee] [REDACTED:order_id]", prompt.Redact("EMP1234 ORD-123456", new RedactionTally()));
        Assert.Equal("[REDACTED:employee] ORD-123456", gateway.Redact("EMP1234 ORD-123456", new RedactionTally()));
    }

    [Fact]
    public void A_custom_pattern_runs_before_the_personal_data_detectors()
    {
        // Otherwise the phone detector would take the digits and the operator's kind would never be counted.
        var redactor = Redactor.WithPatterns(new Dictionary<string, string> { ["ticket"] = "TKT 555-123-4567" });
        var tally = new RedactionTally();

        Assert.Equal("[REDACTED:ticket]", redactor.Redact("TKT 555-123-4567", tally));
        Assert.Equal(new Dictionary<string, int> { ["ticket"] = 1 }, tally.Counts);
    }

    [Theory]
    [InlineData("order_id", "ORD-(\\d{6}", "order_id")]
    [InlineData("broken", "[a-", "broken")]
    [InlineData("empty", "", "empty")]
    [InlineData("bad name", "x", "bad name")]
    [InlineData("", "x", "''")]
    [InlineData("a]b", "x", "a]b")]
    public void An_invalid_custom_pattern_or_name_is_refused_naming_it(string name, string pattern, string named)
    {
        var ex = Assert.Throws<ArgumentException>(() => Redactor.WithPatterns(new Dictionary<string, string> { [name] = pattern }));

        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pattern_that_matches_the_empty_string_does_not_redact_empty_spans()
    {
        var redactor = Redactor.WithPatterns(new Dictionary<string, string> { ["maybe"] = "x*" });
        const string text = "abc";

        Assert.Same(text, redactor.Redact(text, new RedactionTally()));
    }

    [Fact]
    public void A_catastrophic_configured_pattern_finishes_and_the_rest_is_still_redacted()
    {
        // Catastrophic backtracking on the backtracking engine; configured patterns run on the linear one
        // (issue #15), so there is no timeout to fall back on: the scan simply finishes.
        var redactor = Redactor.WithPatterns(new Dictionary<string, string> { ["evil"] = "^(a+)+$" });
        var tally = new RedactionTally();

        var redacted = redactor.Redact(new string('a', 40) + "! ops@example.com", tally);

        Assert.StartsWith(new string('a', 40) + "! ", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("ops@example.com", redacted, StringComparison.Ordinal);
        Assert.False(tally.Counts.ContainsKey("timeout"));
    }

    [Fact]
    public void Text_with_nothing_to_redact_is_returned_as_the_same_instance()
    {
        var text = string.Concat(Enumerable.Repeat("The quick brown fox jumps over 13 lazy dogs in 2024. ", 200));

        Assert.Same(text, Redactor.Redact(text, new RedactionTally()));
    }

    [Fact]
    public void Ordinary_text_full_of_digits_is_scanned_without_a_false_match()
    {
        // Fifty repeats (4 KB) cover every junction between them. Each scan has a 1 s wall-clock budget, and a loaded
        // 2-core CI box once ran past it on 1 MB and then on 100 KB, turning the scan into a timeout redaction: scan
        // speed is a benchmark's business, not a unit test's.
        var text = string.Concat(Enumerable.Repeat("On 2024-07-20 at 12:30 the model used 128000 tokens, v1.2.3, $12.50 (ratio 16:9); ", 50));

        var tally = new RedactionTally();

        Assert.Same(text, Redactor.Redact(text, tally));
        Assert.Equal(0, tally.Total);
    }

    [Fact]
    public void The_replacement_comes_from_the_provider_for_the_kind()
    {
        var redactor = new TextRedactor(new LengthRedactorProvider());
        var tally = new RedactionTally();

        Assert.Equal("mail <email:15> at <ip:8>", redactor.Redact("mail ops@example.com at 10.0.0.1", tally));
    }

    [Theory]
    // A tool's result as .NET serializes it: '+' written as an escape inside the JSON text the string holds.
    [InlineData("{\"phone\":\"\\u002B44 20 7946 0958\"}", "{\"phone\":\"[REDACTED:phone]\"}", "7946 0958")]
    [InlineData("{\"email\":\"jane\\u002Bx@example.com\"}", "{\"email\":\"[REDACTED:email]\"}", "jane")]
    public void Json_escapes_inside_a_string_do_not_hide_what_they_spell(string text, string expected, string secret)
    {
        var tally = new RedactionTally();

        var redacted = Redactor.Redact(text, tally);

        Assert.Equal(expected, redacted);
        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Equal(1, tally.Total);
    }

    [Theory]
    // JSON inside a string (a tool call's arguments, a structured answer): a line break is a backslash and an 'n',
    // and a letter right before a secret hid it from every pattern.
    [InlineData("{\"note\":\"my key:\\nsk-proj-AbC123def456ghi789jkl\"}", "{\"note\":\"my key:\\n[REDACTED:api_key]\"}", "AbC123def456")]
    [InlineData("{\"k\":\"line\\ngwk_q3Z8v0Xk2LrT9bN4wYc7HfJ1sPmA6dEu\"}", "{\"k\":\"line\\n[REDACTED:api_key]\"}", "q3Z8v0Xk2")]
    [InlineData("{\"k\":\"\\tgwa_q3Z8v0Xk2LrT9bN4wYc7HfJ1sPmA6dEu\"}", "{\"k\":\"\\t[REDACTED:api_key]\"}", "q3Z8v0Xk2")]
    [InlineData("{\"k\":\"\\r\\nAKIAIOSFODNN7EXAMPLE\"}", "{\"k\":\"\\r\\n[REDACTED:aws_access_key]\"}", "IOSFODNN7")]
    [InlineData("{\"card\":\"card:\\n4111111111111111\"}", "{\"card\":\"card:\\n[REDACTED:card]\"}", "4111111111111111")]
    [InlineData("{\"ip\":\"host\\f10.0.15.1\\b\"}", "{\"ip\":\"host\\f[REDACTED:ip]\\b\"}", "10.0.15.1")]
    // A control character stays escaped when the text is read (\u001b is ESC): its last hex digit is a letter too.
    [InlineData("{\"k\":\"\\u001bsk-proj-AbC123def456ghi789jkl\"}", "{\"k\":\"\\u001b[REDACTED:api_key]\"}", "AbC123def456")]
    public void A_secret_right_after_a_letter_escape_in_json_text_is_redacted(string text, string expected, string secret)
    {
        var tally = new RedactionTally();

        var redacted = Redactor.Redact(text, tally);

        Assert.Equal(expected, redacted);
        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Equal(1, tally.Total);
    }

    [Fact]
    public void An_escaped_backslash_before_a_letter_is_not_an_escape_and_a_match_never_splits_an_escape()
    {
        // "\\nsk-…" is a backslash, then the word "nsk-…": not a key (the letter is a letter).
        const string Escaped = "{\"p\":\"C:\\\\nsk-proj-AbC123def456ghi789jkl\"}";
        Assert.Same(Escaped, Redactor.Redact(Escaped, new RedactionTally()));

        // A configured pattern may match the spaces an escape is scanned as: the replacement takes the whole escape,
        // so the JSON text stays valid.
        var pins = Redactor.WithPatterns(new Dictionary<string, string> { ["pin"] = @"\s[0-9]{4}" });
        var redacted = pins.Redact("{\"p\":\"x\\n1234\"}", new RedactionTally());

        Assert.Equal("{\"p\":\"x[REDACTED:pin]\"}", redacted);
        using var parsed = System.Text.Json.JsonDocument.Parse(redacted);
        var unicode = pins.Redact("{\"p\":\"x\\u00011234\"}", new RedactionTally());
        Assert.Equal("{\"p\":\"x[REDACTED:pin]\"}", unicode);
    }

    [Fact]
    public void Text_with_escapes_and_nothing_to_redact_is_kept_as_written()
    {
        const string Text = "{\"note\":\"caf\\u00e9 at noon\"}";

        Assert.Same(Text, Redactor.Redact(Text, new RedactionTally()));
    }

    [Fact]
    public void Unescaping_to_redact_keeps_the_json_text_valid_and_an_escaped_backslash_is_not_an_escape()
    {
        // Quotes stay escaped (the text stays the JSON it was); "\\u0041" is a backslash and "u0041", not an 'A'.
        const string Text = "{\"n\":\"say \\u0022hi\\u0022 \\\\u0041\",\"p\":\"\\u002B44 20 7946 0958\"}";

        var redacted = Redactor.Redact(Text, new RedactionTally());

        using var parsed = System.Text.Json.JsonDocument.Parse(redacted);
        Assert.Equal("say \"hi\" \\u0041", parsed.RootElement.GetProperty("n").GetString());
        Assert.Equal("[REDACTED:phone]", parsed.RootElement.GetProperty("p").GetString());
    }

    [Fact]
    public void A_lone_surrogate_escape_stays_escaped_when_the_rest_is_redacted()
    {
        const string Text = "{\"m\":\"\\ud83d half\",\"p\":\"\\u002B44 20 7946 0958\"}";

        var redacted = Redactor.Redact(Text, new RedactionTally());

        Assert.Equal("{\"m\":\"\\ud83d half\",\"p\":\"[REDACTED:phone]\"}", redacted);
    }
}
