namespace LlmGateway.Proxy;

/// <summary>The id that ties a request's logs, spans, samples and response together.</summary>
internal static class RequestIds
{
    public const string Header = "X-Request-Id";
    public const string UpstreamHeader = "X-Upstream-Request-Id";

    /// <summary>The longest client-supplied id kept.</summary>
    public const int MaxLength = 128;

    /// <summary>The generator of <see cref="NewId"/>: its own per thread, never shared with any other draw.</summary>
    [ThreadStatic]
    private static Random? t_ids;

    /// <summary>Keeps a well-formed client-supplied id (for end-to-end correlation), else makes one.</summary>
    public static string Ensure(HttpContext context)
    {
        var incoming = context.Request.Headers[Header].ToString();
        var id = IsAcceptable(incoming) ? incoming : NewId();
        context.Response.Headers[Header] = id;
        return id;
    }

    /// <summary>
    /// <c>req_</c> and 32 random hex digits. The bits come from a per-thread <see cref="Random"/> of their own, seeded
    /// by the system once per thread, not from the system's cryptographic source (<see cref="Guid.NewGuid"/> read it
    /// with a system call on every request here): a request id labels a request for correlation and grants nothing, so
    /// it needs to be unique, not unguessable. Not <see cref="Random.Shared"/>: its outputs feed the sampling and
    /// shadow draws, and ids shown to clients would let one reconstruct that generator and predict them.
    /// </summary>
    internal static string NewId()
    {
        Span<byte> random = stackalloc byte[16];
        (t_ids ??= new Random()).NextBytes(random);
        Span<char> id = stackalloc char[36];
        "req_".CopyTo(id);
        Convert.TryToHexStringLower(random, id[4..], out _);
        return new string(id);
    }

    private static bool IsAcceptable(string value)
    {
        if (value.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or ':'))
            {
                return false;
            }
        }

        return true;
    }
}
