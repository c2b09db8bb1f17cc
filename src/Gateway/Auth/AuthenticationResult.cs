using LlmGateway.Errors;

namespace LlmGateway.Auth;

internal readonly record struct AuthenticationResult(GatewayKey? Key, GatewayError? Error)
{
    public static AuthenticationResult Success(GatewayKey key) => new(key, null);

    public static AuthenticationResult Fail(GatewayError error) => new(null, error);
}
