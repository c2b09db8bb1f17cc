using System.Net;
using System.Net.Sockets;

namespace LlmGateway.Sampling.Redaction;

/// <summary>The second opinion on regex candidates whose shape alone matches too many ordinary strings.</summary>
internal static class RedactionChecks
{
    /// <summary>
    /// A printed card followed by one more short group (4-4-4-4 then 1–3 digits: its CVV, an expiry's month) is matched
    /// whole as a 17–19 digit candidate, which fails; the candidate before that group is the card. 0 for any other form.
    /// </summary>
    public static int CardWithoutLastGroup(ReadOnlySpan<char> candidate)
    {
        var last = candidate.LastIndexOfAny(' ', '-');
        return last > 0 && candidate[..last].Count(candidate[last]) == 3 && candidate.Length - last - 1 is >= 1 and <= 3 ? last : 0;
    }

    /// <summary>
    /// 13–19 digits that pass Luhn and start like an issued card (2221–2720, 3, 4, 5, 6). The prefix
    /// rule keeps out epoch timestamps (1…) and compact dates (20240720…), one in ten of which pass Luhn.
    /// </summary>
    public static bool IsCardNumber(ReadOnlySpan<char> candidate)
    {
        Span<int> digits = stackalloc int[19];
        var count = 0;
        foreach (var c in candidate)
        {
            if (c is >= '0' and <= '9')
            {
                if (count == digits.Length)
                {
                    return false;
                }

                digits[count++] = c - '0';
            }
        }

        if (count < 13 || !HasCardPrefix(digits[..count]))
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < count; i++)
        {
            var d = digits[count - 1 - i];
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return sum % 10 == 0;
    }

    /// <summary>
    /// A parseable IPv6 address with at least a decimal digit and three non-empty groups, so that
    /// "dead::beef" in prose or a Python slice like <c>x[1::2]</c> is not an address.
    /// </summary>
    public static bool IsIPv6Address(ReadOnlySpan<char> candidate)
    {
        var groups = 0;
        var hasDigit = false;
        var inGroup = false;
        foreach (var c in candidate)
        {
            if (c is ':' or '.')
            {
                inGroup = false;
                continue;
            }

            hasDigit |= char.IsAsciiDigit(c);
            if (!inGroup)
            {
                groups++;
                inGroup = true;
            }
        }

        return hasDigit && groups >= 3
            && IPAddress.TryParse(candidate, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
    }

    /// <summary>
    /// 9–15 digits (E.164 allows 15; fewer than 9 with a country code is rare and "+12345678" is
    /// more often a delta). A single dot is a decimal point ("+1234567.89"), not a separator.
    /// </summary>
    public static bool IsInternationalPhone(ReadOnlySpan<char> candidate)
    {
        var digits = 0;
        var dots = 0;
        foreach (var c in candidate)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (c == '.')
            {
                dots++;
            }
        }

        return digits is >= 9 and <= 15 && dots != 1;
    }

    /// <summary>Past "bearer" and the blanks after it, in a <see cref="RedactionPatterns.BearerToken"/> match.</summary>
    public static int BearerTokenStart(ReadOnlySpan<char> match) => "bearer".Length + CountBlanks(match["bearer".Length..]);

    /// <summary>The fixed-length value at the end of a <see cref="RedactionPatterns.AwsSecretKey"/> match.</summary>
    public static int AwsSecretKeyStart(ReadOnlySpan<char> match) => match.Length - RedactionPatterns.AwsSecretKeyLength;

    private static int CountBlanks(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }

        return i;
    }

    private static bool HasCardPrefix(ReadOnlySpan<int> digits)
    {
        switch (digits[0])
        {
            case 3 or 4 or 5 or 6:
                return true;
            case 2:
                var first4 = (digits[0] * 1000) + (digits[1] * 100) + (digits[2] * 10) + digits[3];
                return first4 is >= 2221 and <= 2720;
            default:
                return false;
        }
    }
}
