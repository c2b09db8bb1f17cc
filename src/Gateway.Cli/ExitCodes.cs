using System.Net;

namespace LlmGateway.Cli;

/// <summary>
/// The process exit codes, one per kind of outcome, so scripts can tell "the gateway said no"
/// from "I typed it wrong" from "the gateway is down" without parsing text.
/// </summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The gateway understood the request and refused it (400, 403, 404, 409, any other 4xx but 401).</summary>
    public const int Refused = 1;

    /// <summary>Bad flags, missing configuration, an unreadable file or invalid YAML/JSON: nothing was sent, or it was our fault.</summary>
    public const int Usage = 2;

    /// <summary>The gateway could not be reached, timed out, answered 5xx, or answered something that is not the contract.</summary>
    public const int Unavailable = 3;

    /// <summary>The admin token was missing or unknown (401).</summary>
    public const int AuthenticationFailed = 4;

    /// <summary>
    /// <c>rollout status --watch</c> saw the rollout end without a promotion (aborted, or a status this gatewayctl does
    /// not know), so a script waiting on a rollout can tell a failed one from a promoted one.
    /// </summary>
    public const int RolloutNotPromoted = 5;

    /// <summary>Ctrl+C or SIGTERM stopped the command (128 + SIGINT, what shells report for an interrupted program).</summary>
    public const int Interrupted = 130;

    public const string HelpText =
        """
        Exit codes:
          0  success
          1  refused by the gateway (HTTP 400, 403, 404, 409 or any other 4xx except 401)
          2  usage error (bad flags, missing GATEWAY_URL/GATEWAY_ADMIN_TOKEN, unreadable file, bad YAML)
          3  the gateway is unreachable or failed (5xx, connection error, 30 s timeout)
          4  authentication failed (401: missing or unknown admin token)
          5  rollout status --watch: the rollout ended without a promotion (aborted, or a status this gatewayctl does not know)
          130  interrupted (Ctrl+C or SIGTERM); a change already sent may or may not have been applied
        eval run exits 0 pass, 100 fail, 3 inconclusive (--strict) or unreachable, 2 error or incomplete run instead; 130 when interrupted.
        """;

    public static int ForHttpStatus(HttpStatusCode status) => (int)status switch
    {
        >= 200 and < 300 => Success,
        401 => AuthenticationFailed,
        >= 400 and < 500 => Refused,
        // 5xx, and anything the contract never answers (1xx, an unfollowed 3xx), means the gateway failed us.
        _ => Unavailable,
    };

    /// <summary>
    /// When several files fail for different reasons the most serious reason wins, so a run with one
    /// unreadable file and one refused bundle still reports the usage problem.
    /// </summary>
    public static int MostSevere(int current, int candidate) => Severity(candidate) > Severity(current) ? candidate : current;

    private static int Severity(int exitCode) => exitCode switch
    {
        Success => 0,
        Refused => 1,
        Usage => 2,
        Unavailable => 3,
        AuthenticationFailed => 4,
        _ => 6,
    };
}
