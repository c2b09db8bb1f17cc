namespace LlmGateway.Proxy;

/// <summary>Rewrites the <c>model</c> value by copying bytes around it: no re-serialisation.</summary>
internal static class ModelSplicer
{
    public static void Splice(ReadOnlySpan<byte> body, RequestScan scan, ReadOnlySpan<byte> newModelJson, PooledBuffer destination)
    {
        destination.Write(body[..scan.ModelTokenStart]);
        destination.Write(newModelJson);
        destination.Write(body[(scan.ModelTokenStart + scan.ModelTokenLength)..]);
    }
}
