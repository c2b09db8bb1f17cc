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

        Assert.Equal("fix it\n{\"patch\":\"alpha beta\"}\nselect 1\nok\n{\"legacy\":1}\nI cannot help with that.\n", text);
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

        Assert.Equal("Be brief.\nDescribe\n{\"q\":1}\n42\n", text);
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
    public void Plain_strings_and_lists_of_them_are_text_and_token_ids_are_not()
    {
        Assert.Equal("a\nb\n", RequestText.Extract("""{"model":"text-embedding-3-small","input":["a","b"]}"""u8.ToArray()));
        Assert.Equal("", RequestText.Extract("""{"model":"text-embedding-3-small","input":[[1234,5678]]}"""u8.ToArray()));
        Assert.Equal("hi\n", RequestText.Extract("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi","name":"ann"}]}"""u8.ToArray()));
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
