namespace LlmGateway.Accounting;

/// <summary>
/// The tokenizer's count of one request's prompt, made at most once and only if something needs it
/// (a budget's reservation, or billing when the provider reports no usage). The middleware creates
/// it with the request; the budget and the accountant read the same value.
/// </summary>
/// <param name="body">The upstream body (pooled; it outlives the request's forwarding).</param>
/// <param name="encoding">The requested model's encoding (a fallback model's text is the same).</param>
internal sealed class PromptTokenEstimate(ReadOnlyMemory<byte> body, string encoding)
{
    // OpenAI's chat framing: each message costs a few tokens beyond its text, and the reply is primed.
    private const int TokensPerMessage = 4;
    private const int ReplyPriming = 3;

    /// <summary>
    /// What an image is estimated at when the provider reports no usage, for a model whose per-image bound is
    /// <see cref="ImageTokensBound"/> (gpt-4o's): gpt-4o's count for a 1024×1024 image at high detail (85 + 4 tiles × 170).
    /// Other models scale it by their bound (<see cref="ImageTokensEstimateFor"/>). What an image really costs depends on
    /// its size, its detail and the model.
    /// </summary>
    public const int ImageTokensEstimate = 765;

    /// <summary>
    /// What a budget reserves per image for gpt-4o-mini, which counts images at about 33 times gpt-4o's tokens (its
    /// high-detail maximum, 8 tiles: 2,833 + 8 × 5,667). An image's bytes are no bound: a small image, or one given by
    /// URL, costs far more than its URL's length.
    /// </summary>
    public const int MiniImageTokensBound = 48_169;

    /// <summary>
    /// What a budget reserves per image for every other model: the largest of the other OpenAI counts (gpt-4.1-nano's
    /// 1,536 patches × 2.46; gpt-4o and gpt-4.1 top out at 85 + 8 × 170 = 1,445).
    /// </summary>
    public const int ImageTokensBound = 3_779;

    /// <summary>The per-image reservation for <paramref name="upstreamModel"/> when its catalog entry sets none (<c>ImageInputTokens</c>).</summary>
    public static int ImageTokensBoundFor(string upstreamModel) =>
        upstreamModel.Contains("4o-mini", StringComparison.OrdinalIgnoreCase) ? MiniImageTokensBound : ImageTokensBound;

    /// <summary>
    /// What an image is estimated at for a model that counts at most <paramref name="imageTokensBound"/> tokens per image
    /// (<see cref="Providers.CatalogModel.ImageInputTokens"/>): <see cref="ImageTokensEstimate"/> scaled as the bound is to
    /// gpt-4o's (<see cref="ImageTokensBound"/>), so the same share of what a budget reserved for it for every model:
    /// 765 for gpt-4o, 9,751 for gpt-4o-mini (which counts images at ~33 times gpt-4o's tokens), never above the bound.
    /// </summary>
    public static int ImageTokensEstimateFor(int imageTokensBound) =>
        (int)Math.Clamp((((long)ImageTokensEstimate * imageTokensBound) + (ImageTokensBound / 2)) / ImageTokensBound, 1, Math.Max(1, imageTokensBound));

    /// <summary>
    /// Above this body size a budget's bound counts the prompt's text at a token per byte instead of tokenizing it:
    /// tokenizing costs up to about 0.3 s of CPU per MB (one letter repeated), paid before the store could refuse the
    /// request, so a key with its budget spent could keep cores busy with refusals. The bound is looser (about four
    /// times the tokens of English text, prompts above ~64K tokens only); what is billed is still counted exactly.
    /// </summary>
    public const int TokenizeUpToBytes = 256 * 1024;

    private int? _tokens;
    private bool _shaped;
    private long? _defined;
    private RequestTextShape _shape;
    private List<Range>? _definitions;

    /// <summary>
    /// The prompt names content the provider fetches or keeps (a file by id or URL, an earlier item): it reads more than
    /// the body shows. Known once the prompt is counted or bounded (<see cref="Count"/>, <see cref="UpperBound"/>).
    /// </summary>
    public bool ReferencesContent => _shape.References > 0;

    /// <summary>How many times the prompt was tokenized: 0 or 1.</summary>
    public int Tokenizations { get; private set; }

    /// <summary>
    /// The prompt's text tokens, a token per token id, and per image <see cref="ImageTokensEstimateFor"/>
    /// <paramref name="imageTokensBound"/> (<see cref="ImageTokensEstimate"/> for gpt-4o's bound).
    /// </summary>
    public int Count(TokenizerRegistry tokenizers, int imageTokensBound = ImageTokensBound)
    {
        long text = TextTokens(tokenizers);
        return (int)Math.Min(int.MaxValue, text + _shape.TokenIds + ((long)_shape.Images * ImageTokensEstimateFor(imageTokensBound)));
    }

    /// <summary>
    /// The prompt's tokens as billing estimates them when the provider reports no usage: <see cref="Count"/> for the
    /// model that served it (its per-image bound, <see cref="Providers.CatalogModel.ImageInputTokens"/>), and its tools'
    /// and output schema's (their JSON's tokens), which providers bill as input. Those are tokenized only here, when an
    /// estimate is needed: a budget's bound already takes them at a token per byte.
    /// </summary>
    public int Billed(TokenizerRegistry tokenizers, int imageTokensBound = ImageTokensBound)
    {
        var count = Count(tokenizers, imageTokensBound);
        if (_definitions is null)
        {
            return count;
        }

        if (_defined is null)
        {
            long defined = 0;
            foreach (var range in _definitions)
            {
                defined += tokenizers.Count(System.Text.Encoding.UTF8.GetString(body.Span[range]), encoding);
            }

            _defined = defined;
        }

        return (int)Math.Min(int.MaxValue, count + _defined.Value);
    }

    // The tokenizer's count of the text alone: made at most once.
    private int TextTokens(TokenizerRegistry tokenizers)
    {
        if (_tokens is null)
        {
            Tokenizations++;
            _tokens = tokenizers.Count(RequestText.Extract(body.Span, out _shape, out _definitions), encoding);
            _shaped = true;
        }

        return _tokens.Value;
    }

    /// <summary>
    /// An upper bound of what the provider will count as input (what a budget reserves): the text's tokens, the
    /// per-message framing, <paramref name="imageTokensBound"/> per image (<see cref="ImageTokensBoundFor"/>), and one
    /// token per byte of everything else in the body (tool definitions, schemas, names, token-id arrays: a token is never
    /// shorter than a byte). Server-side conversation state (a Responses <c>previous_response_id</c>) is not in the body,
    /// so not in this bound: the budget adds it (<see cref="Budgets.UnseenInput"/>, <see cref="ReferencesContent"/>).
    /// </summary>
    /// <param name="byBytes">
    /// Count the text at a token per byte, not with this estimate's encoding: a model that may serve the request counts
    /// with another encoding (a cl100k fallback of an o200k model counts text in some scripts at 3–4 times the tokens), so
    /// one tokenizer's count bounds nothing.
    /// </param>
    public long UpperBound(TokenizerRegistry tokenizers, int imageTokensBound = ImageTokensBound, bool byBytes = false)
    {
        long text;
        if (_tokens is null && (byBytes || body.Length > TokenizeUpToBytes))
        {
            // A token is never shorter than a byte, and the body's JSON escapes only lengthen the text.
            if (!_shaped)
            {
                _ = RequestText.Extract(body.Span, out _shape, out _definitions);
                _shaped = true;
            }

            text = _shape.TextBytes;
        }
        else
        {
            text = TextTokens(tokenizers);
        }

        // The definitions and token ids are in the bytes below, a token per byte.
        var framing = _shape.Messages == 0 ? 0 : ((long)_shape.Messages * TokensPerMessage) + ReplyPriming;
        var images = (long)_shape.Images * imageTokensBound;
        return text + framing + images + Math.Max(0, body.Length - _shape.TextBytes - _shape.ImageBytes);
    }
}
