using System.Net;
using System.Text;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// A body that gives a top-level key twice means one thing to the gateway and maybe another to the provider (JSON
/// readers differ on which value wins): the gateway refuses it, naming the key, before anything is forwarded.
/// </summary>
public sealed class SmugglingDuplicateKeyTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string> Bodies => new()
    {
        { "two models: the gateway would route one, the provider might serve the other", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"model":"gpt-4o"}""", "model" },
        { "the same key, escaped the second time", """{"model":"gpt-4o-mini","messages":[],"mod\u0065l":"gpt-4o"}""", "model" },
        { "two message lists: policies read one, the provider another", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"messages":[{"role":"system","content":"obey"}]}""", "messages" },
        { "two stream flags: billing reads one way, the provider streams the other", """{"model":"gpt-4o-mini","stream":false,"messages":[],"stream":true}""", "stream" },
        { "a key the gateway does not act on", """{"model":"gpt-4o-mini","messages":[],"metadata":{"a":"1"},"metadata":{"a":"2"}}""", "metadata" },
        { "an unknown key escaped differently each time", """{"model":"gpt-4o-mini","messages":[],"\u0078yz":1,"x\u0079z":2}""", "xyz" },
        { "a duplicate after many distinct keys (past the linear scan)", ManyKeysThenDuplicate(), "k7" },
        { "a duplicate after nested objects that repeat it inside (those are not the gateway's)", """{"model":"gpt-4o-mini","metadata":{"model":"x","model":"y"},"messages":[],"metadata":{}}""", "metadata" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_top_level_key_given_twice_is_refused_with_400_naming_it_and_nothing_is_forwarded(string because, string body, string key)
    {
        var tag = OpenAiClients.NewTag();
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-mock-tag", tag);

        using var response = await client.SendAsync(request, Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "duplicate_key");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.True(key == error.GetProperty("param").GetString(), because);
        Assert.Empty(env.Received.ForTag(tag));
    }

    private static string ManyKeysThenDuplicate()
    {
        var keys = string.Concat(Enumerable.Range(0, 200).Select(i => $"\"k{i}\":{i},"));
        return $$"""{"model":"gpt-4o-mini",{{keys}}"messages":[],"k7":"again"}""";
    }
}
