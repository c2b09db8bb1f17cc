using Fluid;
using Fluid.Values;

namespace LlmGateway.Rewriting;

/// <summary>
/// Wraps every registered filter so that no filter builds a string or an array larger than the output limit:
/// the filters that can multiply their input (<c>replace*</c>, <c>join</c>) or make an object per part
/// (<c>split</c>) are checked before they run, every result after. Without this, <c>{% assign s = s | append: s %}</c> in a short loop doubles a string past any
/// memory before a single character is written.
/// </summary>
internal static class SizeCheckedFilters
{
    public static void Apply(FilterCollection filters, int maxChars)
    {
        foreach (var (name, filter) in filters.ToList())
        {
            filters.AddFilter(name, Wrap(name, filter, maxChars));
        }
    }

    private static FilterDelegate Wrap(string name, FilterDelegate inner, int maxChars)
    {
        var multiplies = name is "replace" or "replace_first" or "replace_last" or "join" or "split";
        return (input, arguments, context) =>
        {
            if (multiplies)
            {
                CheckBefore(name, input, arguments, maxChars);
            }

            var result = inner(input, arguments, context);
            if (result.IsCompletedSuccessfully)
            {
                Check(input, result.Result, maxChars);
                return result;
            }

            return Awaited(input, result, maxChars);
        };
    }

    private static async ValueTask<FluidValue> Awaited(FluidValue input, ValueTask<FluidValue> result, int maxChars)
    {
        var value = await result;
        Check(input, value, maxChars);
        return value;
    }

    private static void CheckBefore(string name, FluidValue input, FilterArguments arguments, int maxChars)
    {
        long estimate;
        if (name == "split")
        {
            // The parts counted before they are made: split: "" of a client's megabytes made an object per character
            // (hundreds of megabytes) before the result's check refused it.
            var text = input.ToStringValue();
            // Without an argument Fluid splits on nothing (a part per character), as with "".
            var separator = arguments.Count > 0 ? arguments.At(0).ToStringValue() : "";
            estimate = separator.Length == 0 ? text.Length : Count(text, separator) + 1;
        }
        else if (name == "join")
        {
            if (input is not ArrayValue array)
            {
                return;
            }

            var separator = arguments.Count > 0 ? arguments.At(0).ToStringValue().Length : 1;
            estimate = (long)array.Values.Count * Math.Max(separator, 1);
        }
        else
        {
            var text = input.ToStringValue();
            var search = arguments.At(0).ToStringValue();
            var replacement = arguments.At(1).ToStringValue();
            if (replacement.Length <= search.Length)
            {
                return;
            }

            var occurrences = search.Length == 0 ? text.Length + 1L : Count(text, search);
            if (name != "replace")
            {
                occurrences = Math.Min(occurrences, 1);
            }

            estimate = text.Length + (occurrences * (replacement.Length - search.Length));
        }

        if (estimate > maxChars)
        {
            throw new TemplateLimitExceededException("output limit");
        }
    }

    private static long Count(string text, string search)
    {
        long count = 0;
        for (var at = text.IndexOf(search, StringComparison.Ordinal); at >= 0; at = text.IndexOf(search, at + search.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// A string a filter grew past the cap, or any array past it. A string only passed on (<c>strip</c>, <c>downcase</c>
    /// of a client's long variable, before a <c>truncate</c>) is not cut here: it is no larger than the client's body,
    /// and the output writer still caps what is written. An array is always capped: <c>split: ""</c> of a client's
    /// megabytes would make an object per character.
    /// </summary>
    private static void Check(FluidValue input, FluidValue value, int maxChars)
    {
        var tooLarge = value switch
        {
            StringValue text => text.ToStringValue().Length is var length && length > maxChars && length > (input is StringValue given ? given.ToStringValue().Length : 0),
            ArrayValue array => array.Values.Count > maxChars,
            _ => false,
        };
        if (tooLarge)
        {
            throw new TemplateLimitExceededException("output limit");
        }
    }
}
