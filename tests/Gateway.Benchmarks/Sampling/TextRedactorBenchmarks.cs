using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using LlmGateway.Sampling.Redaction;

namespace LlmGateway.Benchmarks.Sampling;

/// <summary>
/// Redaction of sample text with the built-in detectors and the default marker replacement
/// (<c>new TextRedactor(new MarkerRedactorProvider())</c>): every detector's regex scans the whole
/// text. <c>Redact</c> over a 2,048-character customer message with no personal data (the same
/// instance comes back) and over the same with an email, a phone and a card number in it; and
/// <c>RedactJson</c> over a ten-message chat request, parsed per operation as the sample writer
/// parses each body (<c>ParseJson</c> alone is the baseline, so the difference is the redaction).
/// One tally serves all operations, as one serves all the strings of a sample.
/// </summary>
[MemoryDiagnoser]
public class TextRedactorBenchmarks
{
    private const int MessageChars = 2048;

    private TextRedactor _redactor = null!;
    private RedactionTally _tally = null!;
    private string _clean = "";
    private string _personal = "";
    private byte[] _request = [];

    [GlobalSetup]
    public void Setup()
    {
        _redactor = new TextRedactor(new MarkerRedactorProvider());
        _tally = new RedactionTally();
        _clean = SampleData.Prose(MessageChars)[..MessageChars];
        _personal = SampleData.ProseWithPersonalData(MessageChars);
        _request = SampleData.ChatRequest(messages: 10);

        var tally = new RedactionTally();
        var clean = _redactor.Redact(_clean, tally);
        if (!ReferenceEquals(clean, _clean) || tally.Total != 0)
        {
            throw new InvalidOperationException($"The clean message was redacted: {string.Join(", ", tally.Counts)}.");
        }

        var redacted = _redactor.Redact(_personal, tally);
        if (_personal.Length is < MessageChars - 64 or > MessageChars + 64 || tally.Total != 3
            || tally.Counts.GetValueOrDefault(RedactionKinds.Email) != 1 || tally.Counts.GetValueOrDefault(RedactionKinds.Phone) != 1
            || tally.Counts.GetValueOrDefault(RedactionKinds.Card) != 1
            || redacted.Contains(SampleData.Email, StringComparison.Ordinal) || redacted.Contains(SampleData.Phone, StringComparison.Ordinal)
            || redacted.Contains(SampleData.Card, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The {_personal.Length}-character message was not redacted as expected: {string.Join(", ", tally.Counts)}.");
        }

        tally = new RedactionTally();
        var node = JsonNode.Parse(_request);
        _redactor.RedactJson(node, tally);
        if (_request.Length is < 2500 or > 4000 || node!["messages"]!.AsArray().Count != 10 || tally.Total != 1
            || tally.Counts.GetValueOrDefault(RedactionKinds.Email) != 1 || node.ToJsonString().Contains(SampleData.Email, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The {_request.Length}-byte request was not redacted as expected: {string.Join(", ", tally.Counts)}.");
        }
    }

    [Benchmark]
    public int RedactClean2Kb() => _redactor.Redact(_clean, _tally).Length;

    [Benchmark]
    public int RedactPersonalData2Kb() => _redactor.Redact(_personal, _tally).Length;

    [Benchmark(Baseline = true)]
    public int ParseJson() => JsonNode.Parse(_request) is JsonObject ? 1 : 0;

    [Benchmark]
    public int ParseAndRedactJson()
    {
        var node = JsonNode.Parse(_request);
        _redactor.RedactJson(node, _tally);
        return _tally.Total;
    }
}
