using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using LlmGateway.Accounting;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Scoring;
using LlmGateway.Store;
using LlmGateway.Hosting;
using Microsoft.Extensions.Options;

namespace LlmGateway.Behaviour;

/// <summary>
/// Decides which samples a judge grades and lets them through within the prompt's daily budget in the environment
/// (one for all the versions served there: <see cref="JudgeBudgets"/>) and this process's concurrency. Judge calls go
/// through the gateway under the evaluator's own key (billed apart, tagged <c>user: gateway-online-judge</c>); what each
/// call cost (the gateway's <c>X-Gateway-Cost-USD</c>) is added to the prompt's spend of the day in the environment, in
/// the store, shared by every evaluator. A call started under the
/// budget may overrun it by what one grant covers per concurrent slot (every rubric call of a sample, and of its shadow
/// pair's stable side): per evaluator, so a fleet's overrun is that times the number of evaluators (README).
/// </summary>
internal sealed class JudgeGate : IDisposable
{
    public const string JudgeUser = "gateway-online-judge";
    private const string CostHeader = "X-Gateway-Cost-USD";

    /// <summary>The largest judge answer read in process: a chat completion of one short JSON verdict.</summary>
    private const int MaxAnswerBytes = 1024 * 1024;

    /// <summary>The base the judge's requests are built on when they run in process (only the path is used).</summary>
    private static readonly Uri InProcessBase = new("http://in-process/");

    private readonly OnlineJudgeOptions _options;
    private readonly GatewayStore _store;
    private readonly JudgeBudgets _budgets;
    private readonly TimeProvider _time;
    private readonly BehaviourMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly HttpClient _http;
    private readonly Uri? _baseUrl;
    private readonly ConcurrentDictionary<(string Prompt, string Environment, string Model), ScorerRegistry> _registries = new();
    private readonly ConcurrentDictionary<string, bool> _warned = new(StringComparer.Ordinal);

    // Judge models whose calls came back without a price: their spend cannot be held to a budget, so they rest.
    private readonly ConcurrentDictionary<string, bool> _unpriced = new(StringComparer.Ordinal);

    // The dearest judge call seen per model: what a call given up before its answer is counted at.
    private readonly ConcurrentDictionary<string, decimal> _dearest = new(StringComparer.Ordinal);

    public JudgeGate(IOptions<OnlineEvalOptions> options, GatewayStore store, JudgeBudgets budgets, TimeProvider time, BehaviourMetrics metrics, ILogger<JudgeGate> logger, JudgeAddress address)
    {
        _options = options.Value.Judge;
        _store = store;
        _budgets = budgets;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.MaxConcurrency);
        // A configured address is called over HTTP (a separate evaluator's way); otherwise the gateway's own pipeline,
        // in process: no listen address, Host or TLS to get right.
        (_baseUrl, var handler) = (_options.BaseUrl, address.Gateway) switch
        {
            ({ } configured, _) => (configured, new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }),
            // Marked as the judge's own call, which is never sampled: it holds the graded answer and the rubric.
            (null, { } gateway) => (InProcessBase, new InProcessHandler(gateway, MaxAnswerBytes, static features => features.Set(OnlineJudgeCall.Instance))),
            _ => ((Uri?)null, (HttpMessageHandler)new SocketsHttpHandler()),
        };
        _http = new HttpClient(handler) { Timeout = _options.Timeout };
    }

    /// <summary>
    /// The judge for this sample, or null when it is not judged: not drawn (a hash of the sample id against the
    /// plan's rate, so every evaluator draws alike), no key configured, or the day's budget spent. Dispose the
    /// grant when the sample is scored.
    /// </summary>
    public async Task<JudgeGrant?> TryEnterAsync(string sampleId, string prompt, string environment, OnlineJudgePlan plan, CancellationToken cancellationToken)
    {
        if (Draw(sampleId) >= plan.SampleRate)
        {
            _metrics.Judge("not_drawn");
            return null;
        }

        if (string.IsNullOrEmpty(_options.ApiKey) || _baseUrl is not { } baseUrl)
        {
            if (_warned.TryAdd(prompt, true))
            {
                BehaviourLog.JudgeWithoutKey(_logger, prompt);
            }

            _metrics.Judge("no_key");
            return null;
        }

        if (_unpriced.ContainsKey(plan.Model))
        {
            _metrics.Judge("unpriced");
            return null;
        }

        // Not this version's budget: the arms of a canary or shadow step must stop being judged at the same moment.
        var budget = await _budgets.DailyBudgetUsdAsync(prompt, environment, plan);
        await _slots.WaitAsync(cancellationToken);
        ScorerRegistry registry;
        try
        {
            var spent = await _store.Database.StringGetAsync(SpendKey(prompt, environment));
            var spentUsd = (spent.HasValue && long.TryParse((string?)spent, System.Globalization.NumberStyles.Integer, CultureInfo.InvariantCulture, out var nano) ? NanoUsd.ToUsd(nano) : 0m);
            if (spentUsd >= budget)
            {
                _metrics.Judge("over_budget");
                _slots.Release();
                return null;
            }

            // Inside the slot's guard: a slot taken and never given back would leave judging one slot short for good.
            registry = _registries.GetOrAdd((prompt, environment, plan.Model), key => ScorerRegistry.CreateDefault(
                judge: new GatewayLlmJudge(_http, baseUrl, _options.ApiKey, key.Model, JudgeUser, response => Bill(key.Prompt, key.Environment, key.Model, response),
                    () => BillUnanswered(key.Prompt, key.Environment, key.Model))));
        }
        catch
        {
            _slots.Release();
            throw;
        }

        _metrics.Judge("called");
        return new JudgeGrant(registry, _slots);
    }

    /// <summary>A uniform draw in [0, 1) from the sample id.</summary>
    public static double Draw(string sampleId) =>
        (XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(sampleId)) >> 11) * (1.0 / (1UL << 53));

    internal void Bill(string prompt, string environment, string model, HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues(CostHeader, out var values))
        {
            if (!response.IsSuccessStatusCode)
            {
                // An error with nothing billed (a provider's own error, passed through): no spend.
                return;
            }

            // The gateway sends its cost headers only with a body it held whole (one too long to hold streams on without
            // them), and a proxy between a separate evaluator and the gateway may strip them: a spend the budget cannot
            // see, so the model rests as an unpriced one does, with its own reason.
            if (_unpriced.TryAdd(model, true))
            {
                BehaviourLog.JudgeCostMissing(_logger, model);
            }

            return;
        }

        if (!decimal.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var cost))
        {
            // No price for the judge model ("unknown"): a daily budget in USD cannot bound it, so it stops being called.
            if (_unpriced.TryAdd(model, true))
            {
                BehaviourLog.JudgeUnpriced(_logger, model);
            }

            return;
        }

        // An error can carry a cost too (a 504 after attempts the provider went on with): it is spent all the same.
        _dearest.AddOrUpdate(model, cost, (_, seen) => Math.Max(seen, cost));
        AddSpend(prompt, environment, cost);
    }

    /// <summary>
    /// A judge call given up before any answer: the gateway bills the judge's key for what its provider went on with,
    /// which no header tells this gate; the dearest call seen for the model stands in for it (nothing before one was).
    /// </summary>
    internal void BillUnanswered(string prompt, string environment, string model)
    {
        if (_dearest.TryGetValue(model, out var estimate))
        {
            AddSpend(prompt, environment, estimate);
        }
    }

    private void AddSpend(string prompt, string environment, decimal cost)
    {
        if (cost > 0)
        {
            var key = SpendKey(prompt, environment);
            // Half the range at most: two instances' increments of the day's counter must not overflow it.
            var nano = Math.Min(NanoUsd.From(cost), long.MaxValue / 2);
            // Fire and forget: spend is advisory bookkeeping, and a failed write must not fail the judged sample.
            _ = _store.Database.StringIncrementAsync(key, nano, StackExchange.Redis.CommandFlags.FireAndForget);
            _ = _store.Database.KeyExpireAsync(key, TimeSpan.FromDays(2), StackExchange.Redis.CommandFlags.FireAndForget);
        }
    }

    // Per environment: a staging release sampled heavily (or a load test there) must not spend production's judge budget.
    private string SpendKey(string prompt, string environment) =>
        _store.Keys.JudgeSpend(prompt, environment, _time.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    public void Dispose()
    {
        _http.Dispose();
        _slots.Dispose();
    }
}
