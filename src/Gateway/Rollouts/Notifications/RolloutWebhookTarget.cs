using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>
/// One environment's webhook: its URL, signing key and retry pipeline (exponential backoff with jitter around a
/// per-attempt timeout). Its notifications wait in the store (<see cref="RolloutWebhookOutbox"/>); this instance's
/// sender is woken when this instance queues one, and looks every <see cref="PollInterval"/> for those of others.
/// </summary>
internal sealed class RolloutWebhookTarget
{
    /// <summary>Notifications an environment's outbox holds; past it, the oldest are dropped (and counted).</summary>
    public const int QueueCapacity = 1000;
    public const string SignatureHeader = "X-Gateway-Signature";
    public const string DeliveryHeader = "X-Gateway-Delivery";

    /// <summary>How often a sender looks for notifications another instance queued (its own wake it at once).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    private readonly byte[]? _secret;

    // Full: a wake is already pending, which is all the sender needs to know.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public RolloutWebhookTarget(string environment, RolloutWebhookOptions options, TimeProvider time, ILogger logger)
    {
        Environment = environment;
        Uri = new Uri(options.Url!, UriKind.Absolute);
        Host = Uri.IsDefaultPort ? Uri.Host : $"{Uri.Host}:{Uri.Port}";
        MaxAttempts = options.MaxAttempts;
        _secret = string.IsNullOrEmpty(options.Secret) ? null : Encoding.UTF8.GetBytes(options.Secret);
        var builder = new ResiliencePipelineBuilder<int> { TimeProvider = time };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<int>
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.BaseDelay > TimeSpan.FromSeconds(30) ? options.BaseDelay : TimeSpan.FromSeconds(30),
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome)),
                OnRetry = args =>
                {
                    if (logger.IsEnabled(LogLevel.Debug))
                    {
                        var failure = Describe(args.Outcome);
                        RolloutNotificationsLog.Retrying(logger, args.AttemptNumber + 1, environment, Host, failure, args.RetryDelay);
                    }

                    return ValueTask.CompletedTask;
                },
            });
        }

        Pipeline = builder.AddTimeout(options.Timeout).Build();
    }

    public string Environment { get; }

    public Uri Uri { get; }

    /// <summary>
    /// Names the webhook in stored outcomes without its URL: a hash of the URL, shortened, keyed with the signing secret
    /// when there is one (so a short query token cannot be guessed from it offline, and a changed secret is a new webhook).
    /// </summary>
    public string Fingerprint => _fingerprint ??= Convert.ToHexString(_secret is null
        ? SHA256.HashData(Encoding.UTF8.GetBytes(Uri.AbsoluteUri))
        : HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(Uri.AbsoluteUri)))[..16];

    private string? _fingerprint;

    /// <summary>What logs show of the URL: its host (and port), never its path or query.</summary>
    public string Host { get; }

    public int MaxAttempts { get; }

    /// <summary>Tells this instance's sender that a notification was queued.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Until <see cref="Wake"/> is called (or was since the last wait), or <paramref name="timeout"/> passes.</summary>
    public async Task WaitForWorkAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _wake.Reader.ReadAsync(waiting.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Attempts of one notification; the result is the HTTP status of the last.</summary>
    public ResiliencePipeline<int> Pipeline { get; }

    /// <summary><c>sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>, or null without a secret.</summary>
    public string? Sign(byte[] body) => _secret is null ? null : "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(_secret, body));

    public HttpRequestMessage Request(string id, byte[] body, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation(DeliveryHeader, id);
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(SignatureHeader, signature);
        }

        return request;
    }

    /// <summary>Retried: 5xx, 429, a timed-out attempt, a connection error. Not: other statuses, or the host stopping.</summary>
    public static bool ShouldRetry(Outcome<int> outcome) => outcome.Exception switch
    {
        HttpRequestException or TimeoutRejectedException => true,
        // The handler's connect timeout (a host that drops connections): a cancellation wrapping a TimeoutException.
        OperationCanceledException { InnerException: TimeoutException } => true,
        null => outcome.Result is >= 500 or 429,
        _ => false,
    };

    /// <summary><c>HTTP 503</c>, or the exception's type (with the HTTP error kind when known): never a message, which could quote the URL.</summary>
    public static string Describe(Outcome<int> outcome) => outcome.Exception is { } exception
        ? Describe(exception)
        : $"HTTP {outcome.Result}";

    public static string Describe(Exception exception) => exception is HttpRequestException { HttpRequestError: var error and not HttpRequestError.Unknown }
        ? $"{nameof(HttpRequestException)} ({error})"
        : exception.GetType().Name;
}
