using System.Text;
using System.Text.Json;
using CsCheck;
using LlmGateway.Budgets;
using LlmGateway.Pipeline;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Rewriting;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Random and mutated OpenAI request bodies (deep nesting, huge numbers, duplicate keys, invalid
/// UTF-8, lone surrogates, truncation, flipped bytes) through everything that reads a client body
/// before it is forwarded: nothing throws, and every outcome is either a body to forward (valid JSON
/// when the client's was) or an OpenAI-shaped 4xx.
/// </summary>
public sealed class RequestFuzzTests
{
    private static readonly ModelCatalog Catalog = new(new CatalogOptions
    {
        Providers = { ["p"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://p/v1" } },
        Models =
        {
            ["gpt-4o-mini"] = new CatalogModelOptions { Provider = "p", Fallbacks = ["house"] },
            ["house"] = new CatalogModelOptions { Provider = "p", UpstreamModel = "gpt-4o-2024-08-06" },
        },
    });

    private static readonly Lazy<PreparedBundle> Bundle = new(Prepare);

    private static readonly string[] Rendered = ["You are terse."];

    private static readonly Gen<string> Value = Gen.OneOf(
        Gen.Const("\"hi\""), Gen.Const("\"\\ud800\""), Gen.Const("\"\\udfff\\ud800\""), Gen.Const("1e999"), Gen.Const("-1e999"),
        Gen.Const("99999999999999999999999999"), Gen.Const("-100000"), Gen.Const("0"), Gen.Const("10"), Gen.Const("10.5"), Gen.Const("null"),
        Gen.Const("true"), Gen.Const("[]"), Gen.Const("{}"), Gen.Int[1, 3000].Select(depth => new string('[', depth) + new string(']', depth)),
        Gen.String[0, 40].Select(s => JsonSerializer.Serialize(s)));

    private static readonly Gen<string> Name = Gen.OneOf(
        Gen.Const("model"), Gen.Const("messages"), Gen.Const("stream"), Gen.Const("stream_options"), Gen.Const("max_tokens"),
        Gen.Const("max_completion_tokens"), Gen.Const("n"), Gen.Const("\\u006e"), Gen.Const("best_of"), Gen.Const("temperature"),
        Gen.Const("user"), Gen.Const("prompt_variables"), Gen.Const("prompt"), Gen.Const("input"), Gen.Const("tools"), Gen.Const("\\u006dodel"), Gen.String[0, 8]);

    private static readonly Gen<string> Message = Gen.Select(Gen.OneOf(Gen.Const("user"), Gen.Const("system"), Gen.Const("assistant"), Gen.Const("x")), Value)
        .Select((role, content) => $$"""{"role":"{{role}}","content":{{content}}}""");

    private static readonly Gen<string> Body = Gen.Select(
            Gen.OneOf(Gen.Const("\"gpt-4o-mini\""), Gen.Const("\"house\""), Value),
            Message.Array[0, 4],
            Gen.Select(Name, Value).Array[0, 6],
            Gen.Bool)
        .Select((model, messages, extra, stream) =>
            "{\"model\":" + model + ",\"messages\":[" + string.Join(',', messages) + "]"
            + (stream ? ",\"stream\":true" : "")
            + string.Concat(extra.Select(e => ",\"" + e.Item1 + "\":" + e.Item2)) + "}");

    /// <summary>A body, then optionally damaged: cut short, a byte flipped, or raw invalid UTF-8 spliced in.</summary>
    private static readonly Gen<byte[]> Bytes = Gen.Select(Body, Gen.Int[0, 3], Gen.Int[0, 10_000], Gen.Byte).Select((body, damage, at, b) =>
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var i = at % Math.Max(1, bytes.Length);
        return damage switch
        {
            1 => bytes[..i],
            2 => [.. bytes[..i], b, .. bytes[i..]],
            3 => [.. bytes[..i], 0xC3, 0x28, 0xFF, .. bytes[i..]],
            _ => bytes,
        };
    });

    [Fact]
    public void Hostile_bodies_are_either_forwarded_as_valid_json_or_refused_with_a_4xx()
    {
        Bytes.Sample(body =>
        {
            var scan = RequestBodyScanner.Scan(body);
            if (!scan.IsValid || string.IsNullOrWhiteSpace(scan.Model) || !Catalog.TryGetModel(scan.Model, out var model))
            {
                // Answered 400 (invalid JSON, no model) or 404 (unknown model) by the stages; nothing forwarded.
                return;
            }

            var clientParses = Parses(body);
            var (reserved, _, outputError) = OutputRequest.Check(body, scan, model, bundle: null, maxChoices: 8);
            if (outputError is not null)
            {
                Assert.InRange(outputError.StatusCode, 400, 499);
                return;
            }

            Assert.InRange(reserved, 1, 8L * model.MaxOutputTokens);
            using var client = new PooledBuffer(body.Length);
            client.Write(body);
            for (var pass = 0; pass < 2; pass++)
            {
                var injectUsage = pass == 1;
                var (bodies, error) = UpstreamBodies.Create(client, scan, model, bundle: null, rendered: null, injectUsage);
                Assert.Null(error);
                using (bodies)
                {
                    foreach (var candidate in Catalog.Models)
                    {
                        var forwarded = bodies!.For(candidate);
                        Assert.True(!clientParses || Parses(forwarded.WrittenSpan), $"forwarded invalid JSON for {Encoding.UTF8.GetString(body)}");
                    }
                }
            }

            using var rewritten = new PooledBuffer(body.Length + 1024);
            var rewriteError = ChatRequestRewriter.Rewrite(body, scan, Bundle.Value, Rendered, rewritten, injectUsage: scan.Stream);
            if (rewriteError is not null)
            {
                Assert.InRange(rewriteError.StatusCode, 400, 499);
            }
            else
            {
                Assert.True(!clientParses || Parses(rewritten.WrittenSpan), $"rewrote into invalid JSON: {Encoding.UTF8.GetString(body)}");
            }
        });
    }

    [Theory]
    [InlineData(63)]
    [InlineData(70)]
    [InlineData(127)]
    public void A_prompt_nested_as_deep_as_the_scanner_allows_is_counted_not_thrown(int depth)
    {
        // The scanner reads 128 deep; a later reader of the same body at the default 64 threw (a 500 per request).
        var body = Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","prompt":""" + new string('[', depth) + new string(']', depth) + ""","messages":[{"role":"user","content":"hi"}]}""");
        var scan = RequestBodyScanner.Scan(body);
        Assert.True(scan.IsValid);
        Assert.True(Catalog.TryGetModel(scan.Model!, out var model));

        var (reserved, _, error) = OutputRequest.Check(body, scan, model, bundle: null, maxChoices: 8);

        Assert.Null(error);
        Assert.InRange(reserved, 1, 8L * model.MaxOutputTokens);
        Assert.Contains("hi", LlmGateway.Accounting.RequestText.Extract(body, out _), StringComparison.Ordinal);
    }

    private static bool Parses(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4096 });
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static PreparedBundle Prepare()
    {
        var analyzer = new PromptTemplateAnalyzer();
        var json = """{"name":"fuzz","model":"gpt-4o-mini","messages":[{"role":"system","content":"You are terse."}]}""";
        var validation = new PromptBundleValidator(analyzer, Catalog).Validate(Encoding.UTF8.GetBytes(json));
        Assert.True(validation.IsValid, string.Join("; ", validation.Errors));
        var content = validation.Content!;
        var bundle = new PromptBundle
        {
            Id = validation.Id!, Name = content.Name!, Version = 1, Author = "t", Model = content.Model!, Messages = content.Messages!,
            Variables = content.Variables!, Params = content.Params!, SystemMessagePolicy = content.SystemMessagePolicy!,
        };
        var (prepared, problem) = new BundlePreparer(analyzer, Catalog).Prepare(bundle);
        return prepared ?? throw new InvalidOperationException(problem);
    }
}
