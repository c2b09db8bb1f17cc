using LlmGateway.Proxy;

namespace LlmGateway.Tests.Proxy;

public sealed class JsonContentTypeTests
{
    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("Application/JSON", true)]
    [InlineData("APPLICATION/JSON; CHARSET=UTF-8", true)]
    [InlineData("application/json;charset=utf-8", true)]
    [InlineData(" application/json ", true)]
    [InlineData("application/jsonx", false)]
    [InlineData("application/json-patch+json", false)]
    [InlineData("text/plain", false)]
    [InlineData("application/x-www-form-urlencoded", false)]
    [InlineData("multipart/form-data; boundary=x", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Accepts_only_application_json(string? contentType, bool expected) =>
        Assert.Equal(expected, JsonContentType.IsJson(contentType));
}
