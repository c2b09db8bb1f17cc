using System.Text;
using LlmGateway.Accounting;

namespace LlmGateway.Tests.Accounting;

/// <summary>What a request's prompt is estimated from: its text, never an image's bytes, a part's type or an id.</summary>
public sealed class RequestTextTests
{
    // A 300 KB base64 image: read as text, it billed about a hundred thousand tokens.
    private static readonly string ImageData = "data:image/png;base64," + Convert.ToBase64String(new byte[225_000]);

    [Fact]
    public void A_chat_image_part_is_an_image_and_its_type_and_detail_are_not_text()
    {
        var body = $$$"""
            {"model":"gpt-4o","messages":[{"role":"user","content":[
              {"type":"text","text":"What is in this picture?"},
              {"type":"image_url","image_url":{"url":"{{{ImageData}}}","detail":"high"}}]}]}
            """;

        var text = RequestText.Extract(Encoding.UTF8.GetBytes(body), out var shape);

        Assert.Equal("What is in this picture?\n", text);
        Assert.Equal((1, 1), (shape.Messages, shape.Images));
        Assert.Equal(ImageData.Length + "high".Length, shape.ImageBytes);
        Assert.Equal("What is in this picture?".Length, shape.TextBytes);
    }

    [Fact]
    public void A_string_that_does_not_decode_counts_as_its_bytes_and_the_walk_goes_on()
    {
        // JSON.stringify writes a lone surrogate escape for text cut inside an emoji; providers accept it. Decoding it
        // threw InvalidOperationException: a 500 for a key with limits, an unrecorded request for the others.
        var body = """{"model":"gpt-4o","messages":[{"role":"user","content":"cut \ud83d"},{"role":"user","content":"after"}]}""";

        var text = RequestText.Extract(Encoding.UTF8.GetBytes(body), out var shape);

        Assert.Equal("cut \\ud83d\nafter\n", text);
        Assert.Equal(2, shape.Messages);
    }

    [Fact]
    public void A_property_name_that_does_not_decode_ends_the_walk_without_throwing()
    {
        var body = """{"model":"gpt-4o","messages":[{"role":"user","content":"before","\ud800":"x"},{"role":"user","content":"after"}]}""";

        var text = RequestText.Extract(Encoding.UTF8.GetBytes(body), out _);

        Assert.StartsWith("before\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_earlier_assistant_turns_tool_call_arguments_and_refusal_are_input()
    {
        var body = """
            {"model":"gpt-4o","messages":[
              {"role":"user","content":"fix it"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"edit","arguments":"{\"patch\":\"alpha beta\"}"}},{"id":"c2","type":"custom","custom":{"name":"sql","input":"select 1"}}]},
              {"role":"tool","tool_call_id":"c1","content":"ok"},
              {"role":"assistant","function_call":{"name":"old","arguments":"{\"legacy\":1}"}},
              {"role":"assistant","refusal":"I cannot help with that."}],
             "tools":[{"type":"function","function":{"name":"edit","parameters":{"type":"object","properties":{"arguments":{"type":"string"}}}}}]}
            """;

        var text = RequestText.Extract(Encoding.UTF8.GetBytes(body), out var shape, out var definitions);

        // The tools' names too (the model reads them); never their ids or types.
        Assert.Equal("fix it\nedit\n{\"patch\":\"alpha beta\"}\nsql\nselect 1\nok\nold\n{\"legacy\":1}\nI cannot help with that.\n", text);
        Assert.Equal(5, shape.Messages);
        Assert.Single(definitions!);
    }

    [Fact]
    public void Responses_input_items_give_their_text_their_tool_outputs_and_their_images()
    {
        var body = $$$"""
            {"model":"gpt-4o","instructions":"Be brief.","input":[
              {"role":"user","content":[{"type":"input_text","text":"Describe"},{"type":"input_image","image_url":"{{{ImageData}}}"}]},
              {"type":"function_call","call_id":"call_1","name":"lookup","arguments":"{\"q\":1}"},
              {"type":"function_call_output","call_id":"call_1","output":"42"}]}
            """;

        var text = RequestText.Extract(Encoding.UTF8.GetBytes(body), out var shape);

        Assert.Equal("Be brief.\nDescribe\nlookup\n{\"q\":1}\n42\n", text);
        Assert.Equal((1, ImageData.Length), (shape.Images, shape.ImageBytes));
        Assert.Equal(1, shape.Messages);
    }

    [Fact]
    public void Responses_input_messages_are_counted_for_their_framing_as_chat_messages_are()
    {
        var responses = RequestText.Extract("""{"model":"gpt-4o","input":[{"role":"developer","content":"Be brief."},{"role":"user","content":[{"type":"input_text","text":"hi"}]},{"type":"message","role":"assistant","content":[{"type":"output_text","text":"hello"}]}]}"""u8, out var shape);
        var chat = RequestText.Extract("""{"model":"gpt-4o","messages":[{"role":"developer","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"assistant","content":"hello"}]}"""u8, out var chatShape);

        Assert.Equal(responses, chat);
        Assert.Equal(3, shape.Messages);
        Assert.Equal(chatShape.Messages, shape.Messages);
    }

    [Fact]
    public void Plain_strings_and_lists_of_them_are_text_token_ids_are_counted_apart_and_a_message_s_name_is_read()
    {
        Assert.Equal("a\nb\n", RequestText.Extract("""{"model":"text-embedding-3-small","input":["a","b"]}"""u8.ToArray()));
        Assert.Equal("", RequestText.Extract("""{"model":"text-embedding-3-small","input":[[1234,5678]]}"""u8.ToArray(), out var ids));
        Assert.Equal((2, 0), (ids.TokenIds, ids.TextBytes));
        // OpenAI counts a message's name as input.
        Assert.Equal("hi\nann\n", RequestText.Extract("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi","name":"ann"}]}"""u8.ToArray()));
    }

    [Theory]
    [InlineData("""{"model":"text-embedding-3-small","input":[[1234,5678,9],[10,11]]}""", 5)]
    [InlineData("""{"model":"text-embedding-3-small","input":[1234,5678,9]}""", 3)]
    [InlineData("""{"model":"gpt-3.5-turbo-instruct","prompt":[1234,5678]}""", 2)]
    [InlineData("""{"model":"gpt-3.5-turbo-instruct","prompt":[[1234],[5678,1,2]]}""", 4)]
    public void Each_id_of_a_token_id_array_is_estimated_as_one_token_and_bounded_once(string body, int ids)
    {
        // Token ids have no text: estimated at nothing, an abandoned request of 300,000 ids was billed nothing.
        var tokenizers = new TokenizerRegistry();
        var estimate = new PromptTokenEstimate(Encoding.UTF8.GetBytes(body), TokenizerRegistry.Cl100k);

        Assert.Equal(ids, estimate.Billed(tokenizers));
        // The bound already held them, a token per byte: not counted twice.
        Assert.Equal(body.Length, estimate.UpperBound(tokenizers));
    }

    [Fact]
    public void Responses_items_of_any_type_are_read_but_for_their_ids_types_statuses_and_encrypted_content()
    {
        // A replayed item the walk did not know (a custom tool's input, an MCP server's tool list, file search's
        // results, a reasoning summary) was estimated at nothing.
        var body = """
            {"model":"gpt-4o","input":[
              {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Think of tables"}],"encrypted_content":"gAAAAABoZmFrZWVuY3J5cHRlZA=="},
              {"type":"custom_tool_call","id":"ctc_1","call_id":"call_1","name":"sql","input":"select * from orders","status":"completed"},
              {"type":"custom_tool_call_output","call_id":"call_1","output":"3 rows"},
              {"type":"mcp_list_tools","id":"mcpl_1","server_label":"shop","tools":[{"name":"find_order","description":"Finds an order","input_schema":{"type":"object","properties":{"number":{"type":"string","description":"the order's number"}}}}]},
              {"type":"file_search_call","id":"fs_1","status":"completed","queries":["refund policy"],"results":[{"file_id":"file-1","filename":"policy.pdf","score":0.9,"text":"Refunds within 30 days"}]}]}
            """;
        const string Expected = "Think of tables\nsql\nselect * from orders\n3 rows\nshop\nfind_order\nFinds an order\nthe order's number\nrefund policy\npolicy.pdf\nRefunds within 30 days\n";
        var tokenizers = new TokenizerRegistry();

        var text = RequestText.Extract(Encoding.UTF8.GetBytes(body), out var shape);
        var estimate = new PromptTokenEstimate(Encoding.UTF8.GetBytes(body), TokenizerRegistry.O200k);

        Assert.Equal(Expected, text);
        Assert.Equal(tokenizers.Count(Expected, TokenizerRegistry.O200k), estimate.Billed(tokenizers));
        // A search result's file is the source of the text it shows, not content the provider goes on to read.
        Assert.Equal(0, shape.References);
        Assert.False(estimate.ReferencesContent);
    }

    [Fact]
    public void Base64_in_a_message_or_an_item_is_never_text()
    {
        // Audio's data and a generated image's bytes, read as text, would bill kilobytes of base64 as thousands of tokens.
        var chat = RequestText.Extract("""{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"hear this"},{"type":"input_audio","input_audio":{"data":"UklGRiQAAABXQVZFZm10","format":"wav"}}]}]}"""u8, out _);
        var responses = RequestText.Extract("""{"model":"gpt-4o","input":[{"type":"image_generation_call","id":"ig_1","status":"completed","result":"iVBORw0KGgoAAAANSUhEUg=="},{"role":"user","content":"again"}]}"""u8, out _);

        Assert.Equal("hear this\nwav\n", chat);
        Assert.Equal("again\n", responses);
    }

    [Fact]
    public void An_image_is_estimated_at_a_fixed_count_and_bounded_by_the_most_any_model_counts_never_by_its_bytes()
    {
        var tokenizers = new TokenizerRegistry();
        var withImage = new PromptTokenEstimate(Encoding.UTF8.GetBytes(
            $$$"""{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"{{{ImageData}}}"}}]}]}"""),
            TokenizerRegistry.O200k);
        var textOnly = new PromptTokenEstimate("""{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}"""u8.ToArray(), TokenizerRegistry.O200k);

        Assert.Equal(textOnly.Count(tokenizers) + PromptTokenEstimate.ImageTokensEstimate, withImage.Count(tokenizers));
        var extra = withImage.UpperBound(tokenizers) - textOnly.UpperBound(tokenizers);
        // The bound per image, plus the few bytes of the image part's own JSON (its type, its keys), never 300 KB.
        Assert.InRange(extra, PromptTokenEstimate.ImageTokensBound, PromptTokenEstimate.ImageTokensBound + 64);
        var extraForMini = withImage.UpperBound(tokenizers, PromptTokenEstimate.MiniImageTokensBound) - textOnly.UpperBound(tokenizers);
        Assert.InRange(extraForMini, PromptTokenEstimate.MiniImageTokensBound, PromptTokenEstimate.MiniImageTokensBound + 64);
    }

    [Fact]
    public void The_billed_estimate_counts_tools_and_output_schemas_and_the_bound_still_counts_them_a_token_per_byte()
    {
        // Providers bill tool definitions and schemas as input: a cut stream estimated without them billed a 400 KB
        // tool list as nothing. The budget's bound already took them at a token per byte, and still does, once; they are
        // tokenized only for a bill (the bound does not need their tokens).
        var tokenizers = new TokenizerRegistry();
        const string Tools = ""","tools":[{"type":"function","function":{"name":"lookup_order","description":"Finds an order by its number and says where it is","parameters":{"type":"object","properties":{"number":{"type":"string"}}}}}]""";
        var plain = new PromptTokenEstimate("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"""u8.ToArray(), TokenizerRegistry.O200k);
        var withTools = new PromptTokenEstimate(Encoding.UTF8.GetBytes($$"""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]{{Tools}}}"""), TokenizerRegistry.O200k);
        var schema = """{"model":"gpt-4o","input":"hi","text":{"format":{"type":"json_schema","name":"answer","schema":{"type":"object","properties":{"city":{"type":"string"}}}}}}""";
        var withSchema = new PromptTokenEstimate(Encoding.UTF8.GetBytes(schema), TokenizerRegistry.O200k);
        var toolTokens = tokenizers.Count(Tools[",\"tools\":".Length..], TokenizerRegistry.O200k);

        Assert.Equal(plain.Count(tokenizers), withTools.Count(tokenizers));
        Assert.Equal(plain.Billed(tokenizers) + toolTokens, withTools.Billed(tokenizers));
        Assert.True(withSchema.Billed(tokenizers) > withSchema.Count(tokenizers) + 20, withSchema.Billed(tokenizers).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(plain.UpperBound(tokenizers) + Tools.Length, withTools.UpperBound(tokenizers));
    }

    [Theory]
    [InlineData("gpt-4o-mini", PromptTokenEstimate.MiniImageTokensBound)]
    [InlineData("gpt-4o-mini-2024-07-18", PromptTokenEstimate.MiniImageTokensBound)]
    [InlineData("gpt-4o", PromptTokenEstimate.ImageTokensBound)]
    [InlineData("gpt-4.1-nano", PromptTokenEstimate.ImageTokensBound)]
    public void Gpt_4o_mini_reserves_its_own_image_count_and_every_other_model_the_largest_of_the_rest(string model, int bound) =>
        Assert.Equal(bound, PromptTokenEstimate.ImageTokensBoundFor(model));

    [Fact]
    public void A_large_prompt_is_bounded_without_tokenizing_and_the_bound_still_holds_its_tokens()
    {
        // A refusal must not cost megabytes of tokenizing first: above the limit, a token per byte of text.
        var tokenizers = new TokenizerRegistry();
        var words = string.Concat(Enumerable.Repeat("where is my parcel, said the user ", (PromptTokenEstimate.TokenizeUpToBytes / 34) + 100));
        var large = new PromptTokenEstimate(Encoding.UTF8.GetBytes($$"""{"model":"gpt-4o","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"{{words}}"}]}"""), TokenizerRegistry.O200k);

        var bound = large.UpperBound(tokenizers);

        Assert.Equal(0, large.Tokenizations);
        Assert.True(bound >= words.Length, bound.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Billing still counts it, once, and the bound is above what it counts.
        Assert.True(large.Billed(tokenizers) < bound);
        Assert.Equal(1, large.Tokenizations);

        var small = new PromptTokenEstimate("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"""u8.ToArray(), TokenizerRegistry.O200k);
        _ = small.UpperBound(tokenizers);
        Assert.Equal(1, small.Tokenizations);
    }
}
