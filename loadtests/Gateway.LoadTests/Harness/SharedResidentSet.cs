using System.Globalization;

namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// The resident memory of a group of processes with the file pages they share counted once: each process's private
/// pages and shared anonymous memory, plus, for every file they map (the runtime's libraries and assemblies, mapped by
/// both the gateway and its store process), the larger of their resident shares of it. Adding their resident sets
/// counts those files once per process; their proportional set sizes would split them with every other process on the
/// box that maps them too (the mock, the generator), and so understate what the group alone would cost. An estimate:
/// two processes could hold different pages of one file.
/// </summary>
internal static class SharedResidentSet
{
    private static readonly System.Buffers.SearchValues<char> AddressCharacters = System.Buffers.SearchValues.Create("0123456789abcdef-");

    /// <summary>Megabytes, read from <c>/proc/&lt;pid&gt;/smaps</c>; null when one of them cannot be read.</summary>
    public static double? ReadMb(IEnumerable<int> pids)
    {
        long kilobytes = 0;
        var sharedFiles = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pid in pids)
        {
            if (Read(pid) is not { } process)
            {
                return null;
            }

            kilobytes += process.Own;
            foreach (var (file, shared) in process.SharedFiles)
            {
                sharedFiles[file] = Math.Max(sharedFiles.GetValueOrDefault(file), shared);
            }
        }

        return (kilobytes + sharedFiles.Values.Sum()) / 1024.0;
    }

    private static (long Own, Dictionary<string, long> SharedFiles)? Read(int pid)
    {
        long own = 0;
        var sharedFiles = new Dictionary<string, long>(StringComparer.Ordinal);
        string? file = null;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
            {
                if (line.Length == 0)
                {
                    continue;
                }

                if (IsMappingHeader(line))
                {
                    file = FileOf(line);
                    continue;
                }

                var shared = line.StartsWith("Shared_Clean:", StringComparison.Ordinal) || line.StartsWith("Shared_Dirty:", StringComparison.Ordinal);
                var mine = line.StartsWith("Private_Clean:", StringComparison.Ordinal) || line.StartsWith("Private_Dirty:", StringComparison.Ordinal);
                if (!shared && !mine)
                {
                    continue;
                }

                var size = Kilobytes(line);
                if (shared && file is not null)
                {
                    sharedFiles[file] = sharedFiles.GetValueOrDefault(file) + size;
                }
                else
                {
                    own += size;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return (own, sharedFiles);
    }

    // "7f0c…-7f0c… r-xp 00000000 08:01 1234   /usr/share/dotnet/…/libcoreclr.so": address range, then permissions.
    private static bool IsMappingHeader(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && line.AsSpan(0, space).IndexOf('-') > 0 && line.AsSpan(0, space).IndexOfAnyExcept(AddressCharacters) < 0;
    }

    /// <summary>The mapped file, if the mapping is of a file on disk (not anonymous memory, a memfd or a deleted file).</summary>
    private static string? FileOf(string header)
    {
        var fields = header.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 6)
        {
            return null;
        }

        var path = fields[5].Trim();
        return path.StartsWith('/') && !path.StartsWith("/memfd:", StringComparison.Ordinal) && !path.EndsWith("(deleted)", StringComparison.Ordinal)
            ? path
            : null;
    }

    private static long Kilobytes(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kilobytes) ? kilobytes : 0;
    }
}
