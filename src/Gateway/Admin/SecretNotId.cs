namespace LlmGateway.Admin;

/// <summary>
/// The answer to a revoke whose id is a secret (pasted in an incident, when the secret is what one has): 400, the value
/// neither echoed nor kept, with how to find the id. The secret itself is not revoked here: it travelled in a URL.
/// </summary>
internal static class SecretNotId
{
    public static IResult Result(string what, string idPrefix, string listPath) => AdminResults.Error(
        StatusCodes.Status400BadRequest,
        "invalid_request_error",
        "secret_not_id",
        $"That is a {what}'s secret, not its id; it was not stored. Revoke by id: {idPrefix} and the first 16 hex digits of the secret's SHA-256 (GET {listPath} lists ids). Treat the secret as exposed.",
        "id");
}
