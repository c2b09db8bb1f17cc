using System.Net;

namespace LlmGateway.Cli.Tests;

public sealed class ExitCodesTests
{
    [Theory]
    [InlineData(200, 0)]
    [InlineData(201, 0)]
    [InlineData(204, 0)]
    [InlineData(400, 1)]
    [InlineData(403, 1)]
    [InlineData(404, 1)]
    [InlineData(409, 1)]
    [InlineData(413, 1)]
    [InlineData(415, 1)]
    [InlineData(422, 1)]
    [InlineData(429, 1)]
    [InlineData(401, 4)]
    [InlineData(500, 3)]
    [InlineData(502, 3)]
    [InlineData(503, 3)]
    [InlineData(504, 3)]
    [InlineData(301, 3)]
    [InlineData(302, 3)]
    [InlineData(100, 3)]
    public void HTTP_status_maps_to_the_documented_exit_code(int status, int expectedExitCode)
    {
        Assert.Equal(expectedExitCode, ExitCodes.ForHttpStatus((HttpStatusCode)status));
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 0, 1)]
    [InlineData(1, 2, 2)]
    [InlineData(2, 1, 2)]
    [InlineData(2, 3, 3)]
    [InlineData(3, 4, 4)]
    [InlineData(4, 1, 4)]
    public void Across_several_files_the_most_serious_failure_wins(int current, int candidate, int expected)
    {
        Assert.Equal(expected, ExitCodes.MostSevere(current, candidate));
    }

    [Fact]
    public void The_help_text_lists_every_code()
    {
        foreach (var code in new[] { "0", "1", "2", "3", "4", "5", "130" })
        {
            Assert.Contains($"  {code}  ", ExitCodes.HelpText, StringComparison.Ordinal);
        }
    }
}
