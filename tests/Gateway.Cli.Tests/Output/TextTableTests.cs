using LlmGateway.Cli.Output;

namespace LlmGateway.Cli.Tests.Output;

public sealed class TextTableTests
{
    [Fact]
    public void Columns_are_aligned_two_spaces_apart_without_trailing_spaces()
    {
        var table = new TextTable("NAME", "VERSION", "RESULT");
        table.AddRow("support-bot", "v3", "created");
        table.AddRow("faq", "v12", "unchanged");

        Assert.Equal(
            "NAME         VERSION  RESULT\n" +
            "support-bot  v3       created\n" +
            "faq          v12      unchanged\n",
            table.ToString());
    }

    [Theory]
    [InlineData(null, "-")]
    [InlineData("", "-")]
    [InlineData("   ", "-")]
    [InlineData("line one\nline two", "line one line two")]
    [InlineData("tab\there", "tab here")]
    [InlineData("crlf\r\nend", "crlf end")]
    [InlineData("01234567890123456789", "01234567890123456789")]
    [InlineData("01234567890123456789X", "0123456789012345678…")]
    public void Cells_are_one_line_cut_to_the_maximum_width_and_never_blank(string? cell, string expected)
    {
        var table = new TextTable("A", "B") { MaxCellWidth = 20 };
        table.AddRow("x", cell);

        Assert.Equal(expected, table.ToString().Split('\n')[1][3..]);
    }

    [Fact]
    public void A_table_without_rows_still_has_its_header()
    {
        Assert.Equal("ID  APP\n", new TextTable("ID", "APP").ToString());
    }

    [Fact]
    public void A_row_must_have_one_cell_per_column()
    {
        var table = new TextTable("A", "B");

        Assert.Throws<ArgumentException>(() => table.AddRow("only one"));
    }

    [Fact]
    public void A_short_last_cell_leaves_no_padding_behind()
    {
        var table = new TextTable("A", "LONG HEADER");
        table.AddRow("x", "y");

        Assert.All(table.ToString().Split('\n'), line => Assert.Equal(line.TrimEnd(), line));
    }
}
