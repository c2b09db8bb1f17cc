namespace LlmGateway.Accounting;

/// <summary>What <see cref="RequestText"/> read besides the text: how the prompt's tokens are estimated and bounded.</summary>
internal struct RequestTextShape
{
    /// <summary>Chat messages or Responses input items with a role (each costs a few framing tokens).</summary>
    public int Messages;

    /// <summary>The body bytes the text's strings took.</summary>
    public int TextBytes;

    /// <summary>
    /// Token ids sent instead of text (embeddings' <c>input</c>, the legacy completions' <c>prompt</c>: <c>[ids]</c> or
    /// <c>[[ids], …]</c>): each is one token. Their bytes are not in <see cref="TextBytes"/>.
    /// </summary>
    public int TokenIds;

    /// <summary>Images sent (a URL or a data URL, chat's <c>image_url</c> parts and Responses' <c>input_image</c>).</summary>
    public int Images;

    /// <summary>The body bytes the images' URLs took (a data URL is the image itself, base64).</summary>
    public int ImageBytes;

    /// <summary>
    /// Content the provider fetches or keeps, named by the body but not in it: files by id or URL (<c>file_id</c>,
    /// <c>file_url</c>), and earlier items by reference (<c>item_reference</c>).
    /// </summary>
    public int References;
}
