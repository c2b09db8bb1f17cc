namespace LlmGateway.MockProvider.Contracts;

/// <summary>A usage details object (<c>prompt_tokens_details</c>, <c>completion_tokens_details</c>) with its audio count.</summary>
internal sealed record AudioTokensDetails(int AudioTokens);
