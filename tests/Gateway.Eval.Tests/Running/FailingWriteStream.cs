namespace LlmGateway.Eval.Tests.Running;

/// <summary>A stream whose writes succeed <c>succeeding</c> times, then fail as a full disk does.</summary>
internal sealed class FailingWriteStream(int succeeding) : MemoryStream
{
    public const string Failure = "No space left on device";

    public int Writes { get; private set; }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Fail();
        base.Write(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Fail();
        return base.WriteAsync(buffer, cancellationToken);
    }

    private void Fail()
    {
        if (++Writes > succeeding)
        {
            throw new IOException(Failure);
        }
    }
}
