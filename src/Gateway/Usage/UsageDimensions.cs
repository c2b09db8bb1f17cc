namespace LlmGateway.Usage;

/// <summary>
/// The dimensions usage is counted by — prompt, version, variant, model, gateway key — joined with a
/// unit separator (a character none of them can contain) so one hash field names one combination.
/// </summary>
internal static class UsageDimensions
{
    public const char Separator = '\u001f';

    public static readonly string[] Names = ["prompt", "version", "variant", "model", "key"];

    public static string Join(string prompt, int version, string variant, string model, string keyId) =>
        string.Join(Separator, prompt, version.ToString(System.Globalization.CultureInfo.InvariantCulture), variant, model, keyId);

    public static string[] Split(string dimensions) => dimensions.Split(Separator);
}
