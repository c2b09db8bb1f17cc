namespace LlmGateway.Cli.Tests.Infrastructure;

/// <summary>
/// A response body that arrives in pieces, one per read, as from a network: lets a test see what the
/// reader had done before the next piece came, or break the connection partway.
/// </summary>
internal sealed class ChunkedStream(IReadOnlyList<byte[]> chunks, Action<int>? beforeChunk = null, Exception? failAfterChunks = null) : Stream
{
    private int next;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (next >= chunks.Count)
        {
            return failAfterChunks is null ? 0 : throw failAfterChunks;
        }

        beforeChunk?.Invoke(next);
        var chunk = chunks[next++];
        // The tests' chunks are small; a real network read may return less, never more, than asked.
        if (chunk.Length > buffer.Length)
        {
            throw new InvalidOperationException("Chunk larger than the reader's buffer.");
        }

        chunk.CopyTo(buffer);
        return chunk.Length;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
