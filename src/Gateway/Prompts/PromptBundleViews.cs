using LlmGateway.Contracts.Prompts;

namespace LlmGateway.Prompts;

/// <summary>A stored bundle and its review state as the admin API shows them (<see cref="PromptBundleView"/>).</summary>
internal static class PromptBundleViews
{
    public static PromptBundleView From(PromptBundle bundle, PromptVersionStatus status) => new()
    {
        Id = bundle.Id,
        Name = bundle.Name,
        Version = bundle.Version,
        Label = bundle.Label,
        Message = bundle.Message,
        Author = bundle.Author,
        CreatedAt = bundle.CreatedAt,
        Parent = bundle.Parent,
        Status = status.Status,
        ApprovedBy = status.ApprovedBy,
        ApprovedAt = status.ApprovedAt,
        Model = bundle.Model,
        Messages = bundle.Messages,
        Variables = bundle.Variables,
        Params = bundle.Params,
        SystemMessagePolicy = bundle.SystemMessagePolicy,
        Retrieval = bundle.Retrieval,
        Eval = bundle.Eval,
        OnlineEval = bundle.OnlineEval,
        Rollout = bundle.Rollout,
        ModelFallback = bundle.ModelFallback,
    };
}
