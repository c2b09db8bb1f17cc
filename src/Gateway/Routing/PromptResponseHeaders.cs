namespace LlmGateway.Routing;

internal static class PromptResponseHeaders
{
    /// <summary>Tells the client which prompt version answered, and from which arm.</summary>
    public static void Apply(IHeaderDictionary headers, PromptSelection selection)
    {
        headers[PromptHeaders.Name] = selection.Bundle.Name;
        headers[PromptHeaders.Version] = selection.Bundle.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers[PromptHeaders.Variant] = selection.Variant;
    }
}
