using System.Globalization;

namespace LlmGateway.Cli.Releases;

/// <summary>
/// The canary's share of traffic. The API takes basis points (1 bps = 0.01 %, 10000 = all traffic);
/// <c>--percent</c> is a convenience that must land exactly on a basis point.
/// </summary>
internal static class CanaryWeight
{
    public const int MaxBasisPoints = 10_000;
    public const decimal BasisPointsPerPercent = 100m;

    /// <summary>The weight in bps from exactly one of <c>--weight</c> and <c>--percent</c>, or why not.</summary>
    public static bool TryResolve(int? weightBasisPoints, decimal? percent, out int basisPoints, out string error)
    {
        basisPoints = 0;
        error = "";
        switch (weightBasisPoints, percent)
        {
            case (not null, not null):
                error = "Give either --weight (basis points) or --percent, not both.";
                return false;
            case (null, null):
                error = "Give the canary's share of traffic with --weight BPS (0–10000) or --percent P (0–100).";
                return false;
            case ({ } bps, null):
                if (bps is < 0 or > MaxBasisPoints)
                {
                    error = string.Create(CultureInfo.InvariantCulture, $"--weight {bps} is out of range: basis points run from 0 to {MaxBasisPoints} (10000 = 100 %).");
                    return false;
                }

                basisPoints = bps;
                return true;
            case (null, { } p):
                return TryFromPercent(p, out basisPoints, out error);
        }
    }

    public static bool TryFromPercent(decimal percent, out int basisPoints, out string error)
    {
        basisPoints = 0;
        error = "";
        if (percent is < 0m or > 100m)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"--percent {percent} is out of range: 0 to 100.");
            return false;
        }

        var exact = percent * BasisPointsPerPercent;
        // Rounding silently would send a weight nobody asked for; 0.01 % is the finest the API can say.
        if (exact != decimal.Truncate(exact))
        {
            error = string.Create(CultureInfo.InvariantCulture, $"--percent {percent} is finer than the API's resolution of 0.01 % (1 basis point).");
            return false;
        }

        basisPoints = (int)exact;
        return true;
    }
}
