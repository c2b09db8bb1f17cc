namespace LlmGateway.LoadTests.Options;

/// <summary>A bad command line. The message is shown to the user as is, so it says what to type instead.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
