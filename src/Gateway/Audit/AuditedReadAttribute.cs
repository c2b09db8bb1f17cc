namespace LlmGateway.Audit;

/// <summary>
/// Endpoint metadata: a GET whose every call is audited like a change (who, target, and the
/// detail the handler set with <see cref="AuditDetail.Set"/>, such as the filter and the count).
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
internal sealed class AuditedReadAttribute : Attribute
{
}
