using System.CommandLine;
using System.Globalization;
using System.Net;
using LlmGateway.Cli.Tests.Infrastructure;

namespace LlmGateway.Cli.Tests;

public sealed class NumberOptionTests
{
    /// <summary>A culture whose decimal separator is a comma and whose group separator is a point, as de-DE's are (the test process has no ICU cultures).</summary>
    private static CultureInfo CommaCulture()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = ".";
        return culture;
    }

    private static (T? Value, IReadOnlyList<string> Errors) Parse<T>(string text)
        where T : struct, System.Numerics.INumberBase<T>
    {
        var option = NumberOption.Create<T>("--n", "n", "n", "a number");
        var result = new RootCommand { option }.Parse(["--n", text]);
        // GetValue throws on a value that did not parse: only read it when there is one.
        return result.Errors.Count == 0 ? (result.GetValue(option), []) : (null, [.. result.Errors.Select(e => e.Message)]);
    }

    [Theory]
    [InlineData("0.05", 0.05)]
    [InlineData("0", 0.0)]
    [InlineData("1", 1.0)]
    [InlineData(".25", 0.25)]
    public void A_double_option_takes_a_fraction(string text, double expected)
    {
        var (value, errors) = Parse<double>(text);

        Assert.Empty(errors);
        Assert.Equal(expected, value);
    }

    [Fact]
    public void A_double_option_reads_the_invariant_culture_whatever_the_current_one()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CommaCulture();
        try
        {
            Assert.Equal(0.05, Parse<double>("0.05").Value);
            // Under the current culture "0,05" would be 0.05 and "0.05" 5: neither is what the flag means.
            var (_, errors) = Parse<double>("0,05");
            Assert.Contains("--n '0,05' is not a number.", errors);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData("2,5")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e400")]
    [InlineData("0.05.1")]
    public void A_double_option_refuses_what_is_not_one_finite_number(string text)
    {
        var (value, errors) = Parse<double>(text);

        Assert.Null(value);
        Assert.Contains($"--n '{text}' is not a number.", errors);
    }

    [Fact]
    public void An_int_option_still_refuses_a_fraction()
    {
        Assert.Contains("--n '2.5' is not a number.", Parse<int>("2.5").Errors);
    }

    [Fact]
    public async Task Eval_run_accepts_max_error_rate_0_05()
    {
        using var api = FakeAdminApi.Answering(HttpStatusCode.OK, "{}");
        var path = Path.Combine(Path.GetTempPath(), "no-such-eval-" + Guid.NewGuid().ToString("N") + ".yaml");

        var run = await api.RunAsync("eval", "run", "--config", path, "--prompt", "bot", "--candidate", "2", "--baseline", "1", "--max-error-rate", "0.05");

        // Past the command line: the next thing to fail is the missing config, not the flag.
        run.AssertExit(2);
        Assert.DoesNotContain("--max-error-rate", run.Err, StringComparison.Ordinal);
        Assert.Contains("(unreadable_file)", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.3")]
    [InlineData("-0.01")]
    [InlineData("1")]
    public async Task Eval_run_still_refuses_a_max_error_rate_out_of_range(string text)
    {
        using var api = FakeAdminApi.Answering(HttpStatusCode.OK, "{}");

        var run = await api.RunAsync("eval", "run", "--config", "eval.yaml", "--candidate", "2", "--baseline", "1", "--max-error-rate", text);

        run.AssertExit(2);
        Assert.Contains("--max-error-rate is a share of calls from 0 to 0.25", run.Err, StringComparison.Ordinal);
        Assert.Empty(api.Requests);
    }
}
