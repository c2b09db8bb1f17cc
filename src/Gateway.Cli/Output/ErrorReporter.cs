using LlmGateway.Cli.Http;

namespace LlmGateway.Cli.Output;

/// <summary>
/// Writes errors to stderr as <c>error: &lt;message&gt; (&lt;code&gt;)</c>, followed by the gateway's field
/// errors, one per line. Everything passes through <see cref="SecretRedactor"/> first.
/// </summary>
internal sealed class ErrorReporter(TextWriter stderr, SecretRedactor redactor)
{
    public void Report(string message, string code, string? subject = null) =>
        stderr.WriteLine(redactor.Redact($"error: {Subject(subject)}{message} ({code})"));

    public void Report(GatewayRequestFailedException failure, string? subject = null)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var fieldErrors = failure.Error?.Errors ?? [];
        Report(WithoutInlinedFieldErrors(failure.Message, fieldErrors), failure.Code, subject);

        foreach (var fieldError in fieldErrors)
        {
            stderr.WriteLine(redactor.Redact($"  {fieldError.Field ?? "(bundle)"}: {fieldError.Message}"));
        }

        // "param" names the offending input when there is no per-field list to say it.
        if (fieldErrors.Count == 0 && !string.IsNullOrEmpty(failure.Error?.Param))
        {
            stderr.WriteLine(redactor.Redact($"  param: {failure.Error.Param}"));
        }
    }

    /// <summary>
    /// The gateway may already spell the field errors out in its message; they are listed one per line
    /// below it, so the message keeps only its lead ("The bundle is invalid") rather than saying it all twice.
    /// </summary>
    internal static string WithoutInlinedFieldErrors(string message, IReadOnlyList<ApiFieldError> fieldErrors)
    {
        if (fieldErrors.Count == 0 || fieldErrors[0] is not { Field: { } field, Message: { } text })
        {
            return message;
        }

        var inlined = message.IndexOf($"{field}: {text}", StringComparison.Ordinal);
        if (inlined <= 0)
        {
            return message;
        }

        var lead = message[..inlined].TrimEnd(' ', ':', ';', '-', '—');
        return lead.Length == 0 ? message : lead + ".";
    }

    private static string Subject(string? subject) => string.IsNullOrEmpty(subject) ? "" : subject + ": ";
}
