namespace LlmGateway.OpenAi;

/// <summary>The keys <see cref="OpenAiEventReader"/> acts on in an event, a body or a Responses API <c>response</c>.</summary>
internal enum EventKey
{
    Other,
    Model,
    Choices,
    Usage,
    Error,
    Output,
    Response,
    Type,
    Delta,
    Message,
    Status,
    OutputIndex,
    Item,
    IncompleteDetails,
    ServiceTier,
}
