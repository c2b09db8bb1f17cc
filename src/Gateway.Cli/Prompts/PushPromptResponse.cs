namespace LlmGateway.Cli.Prompts;

/// <summary><c>201 {"created":true,"bundle":{…}}</c>, or <c>200 {"created":false,…}</c> for content the gateway already has.</summary>
internal sealed record PushPromptResponse(bool Created, BundleSummary? Bundle);
