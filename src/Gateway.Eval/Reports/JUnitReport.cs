using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Reports;

/// <summary>
/// JUnit XML for CI test tabs. Suite <c>gates</c>: one testcase per gated metric, with a failure when it regressed
/// (or, in strict mode, is inconclusive, since that also stops the pipeline). Suite <c>cases</c>: one testcase per
/// case that failed on the candidate, with an error element when its calls failed. Passing cases are left out to
/// keep large datasets readable; the JSON report has the totals.
/// </summary>
internal static class JUnitReport
{
    public static string Render(EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var comparison = report.Comparison;
        var config = report.Run.Config;

        var gates = new XElement("testsuite", new XAttribute("name", "gates"));
        int gateFailures = 0, gateTests = 0;
        foreach (var m in comparison.Metrics.Where(m => m.Gated))
        {
            gateTests++;
            var source = ReportFormat.SourceOf(config, m.Name);
            var testcase = new XElement("testcase", new XAttribute("classname", "eval.gates"), new XAttribute("name", m.Name));
            if (m.Verdict is Verdict.Regressed or Verdict.Inconclusive)
            {
                gateFailures++;
                testcase.Add(new XElement(
                    "failure",
                    new XAttribute("type", m.Verdict == Verdict.Regressed ? "regressed" : "inconclusive"),
                    new XAttribute("message", $"{m.Name}: {ReportFormat.Delta(source, m)} {ReportFormat.Interval(source, m)}"),
                    Clean(m.Explanation)));
            }

            testcase.Add(new XElement("system-out", Clean(m.Explanation)));
            gates.Add(testcase);
        }

        // A gated metric with no values, or a threshold nothing measured, cannot pass: a failure, never "skipped",
        // so a CI test tab never shows green for a run that exits 2 or 100.
        foreach (var name in report.Skipped.Keys.Where(n => config.AllMetrics.Any(m => m.Name == n && m.Gate.Gated) || report.ThresholdProblems.Contains(n)))
        {
            gateTests++;
            gateFailures++;
            gates.Add(FailedGate(name, "unmeasured", $"{name}: {report.Skipped[name]}"));
        }

        if (report.Result == GateResult.Incomplete)
        {
            gateTests++;
            gateFailures++;
            gates.Add(FailedGate("complete", "incomplete", report.IncompleteReason ?? "the run is incomplete"));
        }

        // The candidate's own calls failing is a fail whatever the metrics say: its own testcase, since the error-rate
        // gate may read inconclusive on a few pairs, and the cases suite lists the calls only as errors.
        if (report.CandidateBroke)
        {
            gateTests++;
            gateFailures++;
            gates.Add(FailedGate("candidate-calls", "candidate-calls-failed", report.IncompleteReason ?? "the candidate's own calls failed"));
        }

        // Whatever else fails a run (a threshold naming no metric at all, say) still shows red: a test tab is never
        // green for a run that exits non-zero.
        if (report.Result != GateResult.Pass && gateFailures == 0)
        {
            gateTests++;
            gateFailures++;
            gates.Add(FailedGate("result", report.Result.ToString().ToLowerInvariant(), $"{report.Result}: {string.Join(", ", report.Blamed)}"));
        }

        SetCounts(gates, gateTests, gateFailures, 0);

        var cases = new XElement("testsuite", new XAttribute("name", "cases"));
        int caseFailures = 0, caseErrors = 0, caseTests = 0;
        foreach (var c in report.FailingCases)
        {
            caseTests++;
            var testcase = new XElement("testcase", new XAttribute("classname", $"eval.cases.{c.Case.Dataset.FileName}"), new XAttribute("name", Clean(c.Case.Key)));
            var summary = $"passed {Percent(c.CandidatePassRate)} of repeats on the candidate vs {Percent(c.BaselinePassRate)} on the baseline";
            if (c.Candidate.Execution.Error is { } error)
            {
                caseErrors++;
                testcase.Add(new XElement("error", new XAttribute("type", "call-failed"), new XAttribute("message", Clean(error)), Clean(summary)));
            }
            else
            {
                caseFailures++;
                var failed = c.Candidate.Assertions.Where(a => !a.Result.Pass).Select(a => $"{a.Assertion.Type}: {a.Result}");
                testcase.Add(new XElement(
                    "failure",
                    new XAttribute("type", "assertion"),
                    new XAttribute("message", Clean(summary)),
                    Clean(string.Join("\n", failed))));
            }

            cases.Add(testcase);
        }

        SetCounts(cases, caseTests, caseFailures, caseErrors);

        var root = new XElement(
            "testsuites",
            new XAttribute("name", $"eval {ReportFormat.Title(report.Run)}"),
            new XAttribute("tests", gateTests + caseTests),
            new XAttribute("failures", gateFailures + caseFailures),
            new XAttribute("errors", caseErrors),
            gates,
            cases);
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        var text = new StringBuilder();
        using (var writer = XmlWriter.Create(new Utf8StringWriter(text), new XmlWriterSettings { Indent = true }))
        {
            document.Save(writer);
        }

        return text.ToString();
    }

    private static XElement FailedGate(string name, string type, string message) => new(
        "testcase",
        new XAttribute("classname", "eval.gates"),
        new XAttribute("name", name),
        new XElement("failure", new XAttribute("type", type), new XAttribute("message", Clean(message))));

    private static void SetCounts(XElement suite, int tests, int failures, int errors)
    {
        suite.SetAttributeValue("tests", tests);
        suite.SetAttributeValue("failures", failures);
        suite.SetAttributeValue("errors", errors);
    }

    private static string Percent(double rate) => (rate * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    /// <summary>
    /// Model output can hold characters XML 1.0 cannot carry at all (most C0 controls, and half of a surrogate pair, which
    /// a cut at a UTF-16 length can leave); drop them rather than fail the report.
    /// </summary>
    internal static string Clean(string text)
    {
        var kept = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (char.IsHighSurrogate(ch) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                kept.Append(ch).Append(text[++i]);
            }
            else if (XmlConvert.IsXmlChar(ch))
            {
                kept.Append(ch);
            }
        }

        return kept.ToString();
    }

    private sealed class Utf8StringWriter(StringBuilder builder) : StringWriter(builder, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => Encoding.UTF8;
    }
}
