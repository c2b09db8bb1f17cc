using System.Text.RegularExpressions;
using LlmGateway.Proxy;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Tests.Proxy;

public sealed partial class RequestIdsTests
{
    [Fact]
    public void A_new_id_is_req_and_32_lowercase_hex_digits()
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.Matches(IdShape(), RequestIds.NewId());
        }
    }

    [Fact]
    public void New_ids_do_not_repeat_and_use_every_hex_digit_in_every_position()
    {
        var ids = Enumerable.Range(0, 20_000).Select(_ => RequestIds.NewId()).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());

        // Each of the 32 positions took all 16 digits: no position is stuck (a sign bit, a counter, a fixed prefix).
        for (var position = 4; position < 36; position++)
        {
            Assert.Equal(16, ids.Select(id => id[position]).Distinct().Count());
        }
    }

    [Fact]
    public void A_well_formed_client_id_is_kept_and_echoed()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[RequestIds.Header] = "trace-42:a.b_c";

        Assert.Equal("trace-42:a.b_c", RequestIds.Ensure(context));
        Assert.Equal("trace-42:a.b_c", context.Response.Headers[RequestIds.Header].ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("new\r\nline")]
    [InlineData("<script>")]
    public void A_malformed_or_missing_client_id_is_replaced_by_a_new_one(string incoming)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[RequestIds.Header] = incoming;

        var id = RequestIds.Ensure(context);

        Assert.Matches(IdShape(), id);
        Assert.Equal(id, context.Response.Headers[RequestIds.Header].ToString());
    }

    [Fact]
    public void A_client_id_longer_than_128_characters_is_replaced()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[RequestIds.Header] = new string('a', 129);

        Assert.Matches(IdShape(), RequestIds.Ensure(context));
    }

    [GeneratedRegex("^req_[0-9a-f]{32}$")]
    private static partial Regex IdShape();
}
