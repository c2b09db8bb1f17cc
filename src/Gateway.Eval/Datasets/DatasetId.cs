namespace LlmGateway.Eval.Datasets;

/// <summary>
/// Which dataset, and which version of it: the file name plus the SHA-256 of its bytes. Recorded in every report so
/// two runs can be told apart when the file was edited between them even though its name did not change.
/// </summary>
/// <param name="FileName">The file name without directories, so the id does not depend on where it was checked out.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file's exact bytes.</param>
internal sealed record DatasetId(string FileName, string Sha256)
{
    /// <summary>The first 12 hex digits, enough to tell versions apart in a table.</summary>
    public string ShortHash => Sha256[..Math.Min(12, Sha256.Length)];

    public override string ToString() => $"{FileName}@sha256:{Sha256}";
}
