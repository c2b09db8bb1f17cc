using System.Globalization;
using CsCheck;
using LlmGateway.Sampling.Redaction;

namespace LlmGateway.Tests.Sampling.Redaction;

public sealed class TextRedactorPropertyTests
{
    private static readonly TextRedactor Redactor = new(new MarkerRedactorProvider());

    private static readonly Gen<string> Word = Gen.Char['a', 'z'].Array[1, 12].Select(chars => new string(chars));

    private static readonly Gen<string> SmallNumber = Gen.OneOf(
        Gen.Int[0, 999_999].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Int[1900, 2100].Select(year => year.ToString(CultureInfo.InvariantCulture)),
        Gen.Int[0, 99_999].Select(cents => (cents / 100m).ToString("0.00", CultureInfo.InvariantCulture)));

    private static readonly Gen<string> Separator = Gen.OneOf(" ", ", ", ". ", "\n", " - ");

    private static readonly Gen<string> Prose = Gen.Select(Gen.OneOf(Word, SmallNumber), Separator)
        .Array[0, 40]
        .Select(parts => string.Concat(parts.Select(p => p.Item1 + p.Item2)));

    /// <summary>A 16-digit number with a Visa prefix and a correct Luhn check digit, printed in one of the usual ways.</summary>
    private static readonly Gen<string> CardNumber = Gen.Select(Gen.Int[0, 9].Array[14], Gen.OneOf("", " ", "-"))
        .Select((body, separator) =>
        {
            int[] digits = [4, .. body, 0];
            digits[^1] = LuhnCheckDigit(digits.AsSpan(0, 15));
            var text = string.Concat(digits);
            return string.Join(separator, text.Chunk(4).Select(group => new string(group)));
        });

    [Fact]
    public void Text_made_only_of_words_and_small_numbers_is_never_changed() =>
        Prose.Sample(text => Assert.Same(text, Redactor.Redact(text, new RedactionTally())));

    [Fact]
    public void A_luhn_valid_card_number_embedded_in_random_words_is_always_redacted() =>
        Gen.Select(Prose, CardNumber, Prose).Sample((before, card, after) =>
        {
            var tally = new RedactionTally();

            var redacted = Redactor.Redact(before + " " + card + " " + after, tally);

            Assert.Equal(before + " [REDACTED:card] " + after, redacted);
            Assert.Equal(1, tally.Counts["card"]);
        });

    private static int LuhnCheckDigit(ReadOnlySpan<int> payload)
    {
        var sum = 0;
        for (var i = 0; i < payload.Length; i++)
        {
            // Counting from the right of the final number, the check digit is position 0, so the payload's
            // last digit is position 1 and is doubled.
            var d = payload[payload.Length - 1 - i];
            if (i % 2 == 0)
            {
                d = d * 2 > 9 ? (d * 2) - 9 : d * 2;
            }

            sum += d;
        }

        return (10 - (sum % 10)) % 10;
    }
}
