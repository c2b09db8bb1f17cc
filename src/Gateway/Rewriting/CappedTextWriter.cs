using System.Text;

namespace LlmGateway.Rewriting;

/// <summary>
/// Where templates render: a string builder that throws <see cref="TemplateLimitExceededException"/> as soon as
/// more than its budget of characters is written (Fluid itself has no output cap). The budget spans every
/// <see cref="TakeText"/>, so one writer caps all of a request's messages together.
/// </summary>
internal sealed class CappedTextWriter(int maxChars) : TextWriter
{
    private readonly StringBuilder _text = new();
    private long _written;

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>The text written since the last call; the budget is not reset.</summary>
    public string TakeText()
    {
        var text = _text.ToString();
        _text.Clear();
        return text;
    }

    public override void Write(char value)
    {
        Reserve(1);
        _text.Append(value);
    }

    public override void Write(string? value)
    {
        if (value is not null)
        {
            Reserve(value.Length);
            _text.Append(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        Reserve(count);
        _text.Append(buffer, index, count);
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        Reserve(buffer.Length);
        _text.Append(buffer);
    }

    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(char[] buffer, int index, int count)
    {
        Write(buffer, index, count);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return Task.CompletedTask;
    }

    public override Task FlushAsync() => Task.CompletedTask;

    private void Reserve(int count)
    {
        _written += count;
        if (_written > maxChars)
        {
            throw new TemplateLimitExceededException("output limit");
        }
    }
}
