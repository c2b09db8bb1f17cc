namespace LlmGateway.Audit;

/// <summary>
/// What a handler adds to its own audit entry (e.g. "prompt=x limit=50; returned 12"). The
/// authorization filter writes the entry; the handler only says what it did.
/// </summary>
internal static class AuditDetail
{
    private static readonly object Key = new();

    public static void Set(HttpContext context, string detail) => context.Items[Key] = detail;

    public static string? Get(HttpContext context) => context.Items.TryGetValue(Key, out var detail) ? detail as string : null;
}
