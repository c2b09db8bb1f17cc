using System.Text.Json.Nodes;
using LlmGateway.Behaviour;

namespace LlmGateway.Tests.Behaviour.Unit;

/// <summary><see cref="InputFeatures"/>: the message count and the script of the application's letters.</summary>
public sealed class InputFeaturesTests
{
    [Theory]
    [InlineData("""[{"role":"system","content":"a"},{"role":"user","content":"b"},{"role":"assistant","content":"c"}]""", 3)]
    [InlineData("""[]""", 0)]
    [InlineData("""{"role":"user","content":"not an array"}""", 0)]
    [InlineData("""null""", 0)]
    public void The_message_count_is_the_array_length(string json, int count) =>
        Assert.Equal(count, InputFeatures.MessageCount(JsonNode.Parse(json)));

    [Theory]
    [InlineData("Привет! Где мой заказ, номер 42?", true)]
    [InlineData("你好，我的订单在哪里？", true)]
    [InlineData("こんにちは、注文はどこですか", true)]
    [InlineData("مرحبا، أين طلبي؟", true)]
    [InlineData("שלום, איפה ההזמנה שלי?", true)]
    [InlineData("Γεια σας, πού είναι η παραγγελία μου;", true)]
    [InlineData("Hello, where is my order #42?", false)]
    [InlineData("Où est ma commande ? Ça dépend de l'été, déjà payé.", false)]
    [InlineData("Größe, Straße, Übermaß", false)]
    [InlineData("Zażółć gęślą jaźń", false)]
    [InlineData("Cảm ơn bạn rất nhiều", false)]
    public void The_script_of_the_user_text_decides(string text, bool nonLatin) =>
        Assert.Equal(nonLatin, InputFeatures.MostlyNonLatin(User(text), null));

    [Fact]
    public void Roles_part_types_and_names_are_not_read()
    {
        // Two Cyrillic letters; "assistant", "alexander" and "text" would outvote them if they were read.
        var messages = JsonNode.Parse("""
            [{"role":"assistant","name":"alexander","content":[{"type":"text","text":"да"}]}]
            """);

        Assert.True(InputFeatures.MostlyNonLatin(messages, null));
    }

    [Fact]
    public void Other_fields_of_a_message_are_read()
    {
        var messages = JsonNode.Parse("""[{"role":"user","content":"да","extra":"hello world"}]""");

        Assert.False(InputFeatures.MostlyNonLatin(messages, null));
    }

    [Fact]
    public void Variables_are_read_with_the_messages()
    {
        Assert.True(InputFeatures.MostlyNonLatin(null, JsonNode.Parse("""{"city":"Москва","items":["книга"]}""")));
        Assert.False(InputFeatures.MostlyNonLatin(User("да"), JsonNode.Parse("""{"city":"Amsterdam"}""")));
    }

    [Theory]
    [InlineData("abc абв", false)]
    [InlineData("ab абв", true)]
    [InlineData("abc аб", false)]
    public void Exactly_half_is_not_mostly(string text, bool nonLatin) =>
        Assert.Equal(nonLatin, InputFeatures.MostlyNonLatin(User(text), null));

    [Fact]
    public void Letters_outside_the_basic_plane_count_once_each()
    {
        // Three CJK Extension B ideographs (surrogate pairs) against two Latin letters.
        Assert.True(InputFeatures.MostlyNonLatin(User("\U00020000\U00020001\U00020002 ab"), null));
        Assert.False(InputFeatures.MostlyNonLatin(User("\U00020000\U00020001 abc"), null));
    }

    [Theory]
    [InlineData("12345 + 678 = ?!")]
    [InlineData("")]
    [InlineData("🙂🙂 👍")]
    public void Input_without_letters_reads_as_null(string text) =>
        Assert.Null(InputFeatures.MostlyNonLatin(User(text), JsonNode.Parse("""{"n":5,"ok":true,"none":null}""")));

    [Fact]
    public void No_input_reads_as_null() =>
        Assert.Null(InputFeatures.MostlyNonLatin(null, null));

    [Fact]
    public void Only_the_first_4096_letters_are_read()
    {
        var latinThenCyrillic = new string('a', 4096) + new string('я', 10_000);

        Assert.False(InputFeatures.MostlyNonLatin(User(latinThenCyrillic), null));
    }

    [Fact]
    public void The_cap_stops_reading_later_messages_and_the_variables()
    {
        var messages = new JsonArray(
            new JsonObject { ["role"] = "user", ["content"] = new string('a', 4096) },
            new JsonObject { ["role"] = "user", ["content"] = new string('я', 10_000) });

        Assert.False(InputFeatures.MostlyNonLatin(messages, new JsonObject { ["v"] = new string('ж', 10_000) }));
    }

    [Fact]
    public void The_cap_counts_letters_not_characters()
    {
        // 1500 Latin letters in 3000 characters, then Cyrillic: the first 4096 letters are 1500 Latin and 2596 Cyrillic.
        var text = string.Concat(Enumerable.Repeat("a ", 1500)) + new string('я', 3000);

        Assert.True(InputFeatures.MostlyNonLatin(User(text), null));
    }

    [Fact]
    public void Below_the_cap_everything_is_read()
    {
        // 2000 Latin then 3000 Cyrillic letters: 2000 Latin and 2096 Cyrillic are read.
        var text = new string('a', 2000) + new string('я', 3000);

        Assert.True(InputFeatures.MostlyNonLatin(User(text), null));
    }

    private static JsonArray User(string text) => new(new JsonObject { ["role"] = "user", ["content"] = text });
}
