namespace LlmGateway.OpenAi;

/// <summary>
/// One observer call an event will make once it is known to be whole; its text lies in the reader's
/// char buffer (start, length; a length of -1 is an absent value).
/// </summary>
internal struct OpenAiEffect
{
    public OpenAiEffectKind Kind;
    public int Start;
    public int Length;

    // Tool calls only.
    public int Index;
    public int IdStart;
    public int IdLength;
    public int TypeStart;
    public int TypeLength;
    public int NameStart;
    public int NameLength;
    public bool IsItem;
    public bool IsLegacy;
}
