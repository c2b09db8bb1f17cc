using Microsoft.Extensions.Compliance.Classification;

namespace LlmGateway.Sampling.Redaction;

/// <summary>
/// What a redacted span was. The kind is both the tally key and the <see cref="DataClassification"/>
/// value the replacement redactor is chosen by, so an operator can configure one redactor per kind.
/// </summary>
internal static class RedactionKinds
{
    public const string Taxonomy = "LlmGateway.Sampling";

    public const string Email = "email";
    public const string Phone = "phone";
    public const string Card = "card";
    public const string Ip = "ip";
    public const string ApiKey = "api_key";
    public const string BearerToken = "bearer_token";
    public const string AwsAccessKey = "aws_access_key";
    public const string AwsSecretKey = "aws_secret_key";
    public const string PrivateKey = "private_key";

    /// <summary>The value of a field named for a credential (<see cref="CredentialFields"/>), or an MCP server URL's path.</summary>
    public const string CredentialField = "credential_field";

    /// <summary>A scan ran out of time and the whole string was replaced, because a partial scan proves nothing.</summary>
    public const string Timeout = "timeout";

    public static DataClassification Classification(string kind) => new(Taxonomy, kind);
}
