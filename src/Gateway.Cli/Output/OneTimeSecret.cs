namespace LlmGateway.Cli.Output;

/// <summary>
/// A secret the gateway shows once (a new key, a new admin token): set apart on a line of its own, with how to keep
/// and use it. The gateway keeps only its hash, so this is the one chance to copy it.
/// </summary>
internal static class OneTimeSecret
{
    public static void Write(TextWriter output, string headline, string secret, string noun, string usage)
    {
        output.WriteLine(headline);
        output.WriteLine();
        output.WriteLine("    " + secret);
        output.WriteLine();
        output.WriteLine($"Copy this {noun} now: it is shown only this once and cannot be shown again (the gateway keeps only its hash).");
        output.WriteLine(usage);
    }
}
