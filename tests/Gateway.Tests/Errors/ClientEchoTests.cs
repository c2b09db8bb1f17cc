using LlmGateway.Errors;

namespace LlmGateway.Tests.Errors;

public sealed class ClientEchoTests
{
    [Fact]
    public void A_value_within_the_bound_is_kept_whole()
    {
        var value = new string('a', ClientEcho.MaxLength);

        Assert.Same(value, ClientEcho.Cut(value));
    }

    [Fact]
    public void A_longer_value_is_cut_to_the_bound()
    {
        Assert.Equal(new string('<', ClientEcho.MaxLength), ClientEcho.Cut(new string('<', 1_000_000)));
    }

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        var value = new string('a', ClientEcho.MaxLength - 1) + "\U0001F600" + "tail";

        Assert.Equal(new string('a', ClientEcho.MaxLength - 1), ClientEcho.Cut(value));
    }
}
