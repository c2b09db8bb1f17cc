namespace LlmGateway.Errors;

/// <summary>An error the gateway answers itself, with its HTTP status and OpenAI-shaped body.</summary>
internal sealed record GatewayError(int StatusCode, OpenAiError Body)
{
    /// <summary>Sent as <c>Retry-After</c> when set (rate and budget limits).</summary>
    public int? RetryAfterSeconds { get; init; }

    public static GatewayError InvalidRequest(string message, string? param = null, string? code = null) =>
        new(StatusCodes.Status400BadRequest, new OpenAiError(message, "invalid_request_error", param, code));

    public static GatewayError InvalidJson(string detail) =>
        InvalidRequest($"We could not parse the JSON body of your request: {detail}", code: "invalid_json");

    public static GatewayError MissingModel() =>
        InvalidRequest("You must provide a model parameter.", "model", "missing_model");

    public static GatewayError NotFound(string message, string? param, string code) =>
        new(StatusCodes.Status404NotFound, new OpenAiError(message, "invalid_request_error", param, code));

    public static GatewayError ModelNotFound(string model) =>
        new(StatusCodes.Status404NotFound, new OpenAiError(
            $"The model '{ClientEcho.Cut(model)}' does not exist or you do not have access to it.", "invalid_request_error", "model", "model_not_found"));

    public static GatewayError BodyTooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, new OpenAiError(
            $"The request body is larger than the gateway's limit of {limit} bytes.", "invalid_request_error", null, "request_too_large"));

    public static GatewayError BodyTimedOut(TimeSpan timeout) =>
        new(StatusCodes.Status408RequestTimeout, new OpenAiError(
            $"The request body did not arrive within {timeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s (Gateway:Proxy:RequestBodyTimeout).", "invalid_request_error", null, "request_timeout"));

    public static GatewayError UnsupportedMediaType(string? contentType) =>
        new(StatusCodes.Status415UnsupportedMediaType, new OpenAiError(
            $"Content-Type must be application/json, not '{ClientEcho.Cut(contentType ?? "(none)")}'.", "invalid_request_error", null, "unsupported_media_type"));

    public static GatewayError MissingApiKey() =>
        new(StatusCodes.Status401Unauthorized, new OpenAiError(
            "You didn't provide an API key. Send your gateway key as 'Authorization: Bearer <key>'.", "invalid_request_error", null, "missing_api_key"));

    public static GatewayError InvalidApiKey() =>
        new(StatusCodes.Status401Unauthorized, new OpenAiError(
            "Incorrect API key provided. Use a key issued by this gateway, not a provider key.", "invalid_request_error", null, "invalid_api_key"));

    public static GatewayError StoreUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, new OpenAiError(
            "The gateway cannot verify API keys right now because its store is unreachable. Retry shortly.", "api_error", null, "store_unavailable"));

    /// <summary>
    /// A key with limits whose budget could not be checked, with <c>Gateway:Budgets:FailOpen</c> off: the key was
    /// verified; its spend cannot be reserved until the store answers.
    /// </summary>
    public static GatewayError BudgetUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, new OpenAiError(
            "The gateway cannot check this key's budget right now because its store is unreachable. Retry shortly.", "api_error", null, "store_unavailable"))
        {
            RetryAfterSeconds = 1,
        };

    /// <summary>Any call whose store operation timed out or lost its connection: the client may retry.</summary>
    public static GatewayError StoreDidNotAnswer() =>
        new(StatusCodes.Status503ServiceUnavailable, new OpenAiError(
            "The gateway's store did not answer in time. Retry shortly.", "api_error", null, "store_unavailable"))
        {
            RetryAfterSeconds = 1,
        };

    /// <summary>
    /// The store ran a key's budget script and refused it (a counter at the end of its range, a key of another type):
    /// the same request fails the same way until an operator looks, so it is neither let through unbudgeted nor told to
    /// retry shortly, as an unreachable store is.
    /// </summary>
    public static GatewayError BudgetStoreError() =>
        new(StatusCodes.Status500InternalServerError, new OpenAiError(
            "The gateway's store refused to record this key's budget, so the request was not sent. Report it if it persists.", "api_error", null, "store_error"));

    /// <summary>An exception nothing handled; the message never repeats its text.</summary>
    public static GatewayError Internal() =>
        new(StatusCodes.Status500InternalServerError, new OpenAiError(
            "The gateway failed to handle this request. Retry, and report it if it persists.", "api_error", null, "internal_error"));

    public static GatewayError UpstreamUnavailable(string provider) =>
        new(StatusCodes.Status502BadGateway, new OpenAiError(
            $"The provider '{provider}' could not be reached or refused the connection.", "api_error", null, "upstream_unavailable"));

    public static GatewayError UpstreamTimeout(string provider) =>
        new(StatusCodes.Status504GatewayTimeout, new OpenAiError(
            $"The provider '{provider}' did not answer in time.", "api_error", null, "upstream_timeout"));

    public static GatewayError NoHealthyUpstream(string model) =>
        new(StatusCodes.Status503ServiceUnavailable, new OpenAiError(
            $"Every deployment that can serve '{model}' is failing and has been taken out of rotation; retry after the Retry-After delay.", "api_error", null, "upstream_unhealthy"));

    /// <summary>
    /// The provider refused the gateway's own credentials: the gateway's configuration, never the client's key. Its text
    /// is not passed on (OpenAI's names a fragment of the key it refused).
    /// </summary>
    public static GatewayError UpstreamAuthFailed(string provider) =>
        new(StatusCodes.Status502BadGateway, new OpenAiError(
            $"The provider '{provider}' refused the gateway's credentials. The gateway's operators have the details in its logs.", "api_error", null, "upstream_auth_failed"));

    /// <summary>
    /// The provider rate-limited the gateway past its retries. Its own text is not passed on: it names the operators'
    /// organisation, its limits and usage, or its billing state (the account headers are dropped for the same reason).
    /// </summary>
    public static GatewayError UpstreamRateLimited(string provider) =>
        new(StatusCodes.Status429TooManyRequests, new OpenAiError(
            $"The provider '{provider}' is rate limiting the gateway; retry later (after the Retry-After delay, when one is given).", "requests", null, "rate_limit_exceeded"));

    /// <summary>A held answer the provider cut mid-body, not retried (a key with limits): what it generated is billed.</summary>
    public static GatewayError UpstreamResponseCut(string provider) =>
        new(StatusCodes.Status502BadGateway, new OpenAiError(
            $"The provider '{provider}' cut its response before it was complete. What it generated is billed; retry the request.", "api_error", null, "upstream_response_cut"));

    public static GatewayError UpstreamFailed(string provider) =>
        new(StatusCodes.Status502BadGateway, new OpenAiError(
            $"The request to provider '{provider}' failed before a response was received.", "api_error", null, "upstream_error"));

    /// <summary>An address past its failed authentications for the minute (<paramref name="scope"/>: "admin", "API key").</summary>
    public static GatewayError TooManyFailedAuthentications(string scope, TimeSpan retryAfter)
    {
        var seconds = WholeSeconds(retryAfter);
        return new(StatusCodes.Status429TooManyRequests, new OpenAiError(
            $"Too many failed {scope} authentications from this address; retry after {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s.", "requests", null, "too_many_failed_authentications"))
        {
            RetryAfterSeconds = seconds,
        };
    }

    /// <summary>An admin token past its audited requests for the minute (the audit log's flood guard).</summary>
    public static GatewayError TooManyAuditedRequests(int limit, TimeSpan retryAfter)
    {
        var seconds = WholeSeconds(retryAfter);
        return new(StatusCodes.Status429TooManyRequests, new OpenAiError(
            $"This admin token made more than {limit.ToString(System.Globalization.CultureInfo.InvariantCulture)} audited requests this minute; retry after {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s.", "requests", null, "rate_limit_exceeded"))
        {
            RetryAfterSeconds = seconds,
        };
    }

    /// <summary>A limiter's wait as a <c>Retry-After</c>: whole seconds, rounded up, at least one.</summary>
    private static int WholeSeconds(TimeSpan retryAfter) => Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
}
