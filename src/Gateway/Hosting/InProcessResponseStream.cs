namespace LlmGateway.Hosting;

/// <summary>
/// The body of an in-process response (<see cref="InProcessExchange"/>): the first write or flush starts the
/// response, as on a socket; the bytes go nowhere but for an error's head. Synchronous writes are refused, as
/// Kestrel refuses them by default.
/// </summary>
internal sealed class InProcessResponseStream(InProcessExchange exchange) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await exchange.StartAsync(cancellationToken);
        exchange.Written(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => exchange.StartAsync(cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => throw SynchronousRefused();

    public override void Flush() => throw SynchronousRefused();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private static InvalidOperationException SynchronousRefused() =>
        new("Synchronous operations are disallowed. Call WriteAsync or set AllowSynchronousIO to true instead.");
}
