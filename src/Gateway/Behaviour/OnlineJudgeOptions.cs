using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Behaviour;

/// <summary><c>Gateway:OnlineEval:Judge</c>: how evaluators reach a judge model through the gateway.</summary>
internal sealed class OnlineJudgeOptions
{
    /// <summary>The gateway's base URL, called over HTTP; unset: this gateway's own pipeline, in process (an evaluator inside a gateway).</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>A gateway key of its own, so judge calls are billed apart from the prompts they judge. Unset: judges do not run (their draws count as skipped).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Judge calls in flight per evaluator process.</summary>
    [Range(1, 256)]
    public int MaxConcurrency { get; set; } = 4;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
