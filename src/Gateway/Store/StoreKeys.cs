namespace LlmGateway.Store;

/// <summary>
/// Every key the gateway uses, in one place. Keys that are read or written together share a
/// hash tag (<c>{...}</c>) so multi-key commands and Lua stay valid on Redis Cluster.
/// </summary>
internal sealed class StoreKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>A gateway API key record, addressed by the SHA-256 of the secret.</summary>
    public string GatewayKey(string secretHash) => $"{Prefix}:{{key}}:{secretHash}";

    /// <summary>Hash of gateway key id to the SHA-256 of its secret, for listing and revoking.</summary>
    public string GatewayKeyIndex => $"{Prefix}:{{key}}:index";

    /// <summary>Set of every prompt name (its own slot; written idempotently beside each push).</summary>
    public string PromptIndex => $"{Prefix}:prompts";

    /// <summary>Hash of version to immutable bundle JSON.</summary>
    public string PromptBundles(string prompt) => $"{PromptTag(prompt)}:bundles";

    /// <summary>Hash of content id (SHA-256) to version: makes pushes idempotent.</summary>
    public string PromptContentIds(string prompt) => $"{PromptTag(prompt)}:ids";

    /// <summary>The last version number issued for a prompt.</summary>
    public string PromptSequence(string prompt) => $"{PromptTag(prompt)}:seq";

    /// <summary>Hash of version to review state (draft/approved).</summary>
    public string PromptStatus(string prompt) => $"{PromptTag(prompt)}:status";

    /// <summary>
    /// The release record of a prompt in an environment: the documented key that a raw
    /// <c>SET</c> may write to roll back.
    /// </summary>
    public string Release(string prompt, string environment) => $"{PromptTag(prompt)}:release:{environment}";

    /// <summary>The release value last written to history, to tell raw writes from API writes.</summary>
    public string ReleaseLogged(string prompt, string environment) => $"{PromptTag(prompt)}:release-logged:{environment}";

    /// <summary>Set of environments that have a release of this prompt.</summary>
    public string ReleaseEnvironments(string prompt) => $"{PromptTag(prompt)}:envs";

    /// <summary>Sorted set (score = unix ms) of every activation event of a prompt.</summary>
    public string History(string prompt) => $"{PromptTag(prompt)}:history";

    /// <summary>Sorted set of the release events of one environment: answers "active at T" with one read.</summary>
    public string EnvironmentHistory(string prompt, string environment) => $"{PromptTag(prompt)}:history:{environment}";

    /// <summary>Hash of evaluation run id to its JSON record (runs are never rewritten).</summary>
    public string EvalRuns(string prompt) => $"{PromptTag(prompt)}:evals";

    /// <summary>Sorted set (score = unix ms) of the ids of runs whose candidate is this version: what the release gate reads.</summary>
    public string EvalRunsOfVersion(string prompt, int version) => $"{PromptTag(prompt)}:evals:v:{version}";

    /// <summary>Sorted set (score = unix ms) of audit entries.</summary>
    public string Audit => $"{Prefix}:{{audit}}:log";

    /// <summary>Usage counters of one minute (unix minutes): field = dimensions|metric.</summary>
    public string UsageMinute(long minute) => $"{Prefix}:usage:m:{minute}";

    /// <summary>Usage counters of one hour (unix minute of the hour's start), kept longer.</summary>
    public string UsageHour(long hourStartMinute) => $"{Prefix}:usage:h:{hourStartMinute}";

    /// <summary>Hash of the prices set at runtime: field = model name in lower case, value = its dated prices (JSON array).</summary>
    public string PriceOverrides => $"{Prefix}:pricing:overrides";

    /// <summary>A stored sample record (JSON, with the retention as its TTL).</summary>
    public string Sample(string id) => $"{SamplesTag}:s:{id}";

    /// <summary>A stored sample's summary (JSON): what listing reads, so it never loads whole records.</summary>
    public string SampleSummary(string id) => $"{SamplesTag}:m:{id}";

    /// <summary>Sorted set (score = unix ms) of every sample.</summary>
    public string SampleIndex => $"{SamplesTag}:idx";

    /// <summary>
    /// Samples of one prompt, every environment: what listings by prompt read. Before the caps were per environment and
    /// kind it was also the set the count cap trimmed; samples stored then are still listed here.
    /// </summary>
    public string SamplePromptIndex(string prompt) => $"{SamplesTag}:idx:p:{prompt}";

    /// <summary>
    /// Samples of one prompt in one environment, forced ones (by a <c>debug</c> key) apart from drawn ones (rate, floor,
    /// shadow): the set the count cap trims, so neither another environment nor forced samples push an arm's out.
    /// </summary>
    public string SampleCapIndex(string prompt, string environment, bool forced) =>
        $"{SamplesTag}:idx:cap:p:{prompt}:e:{environment}:{(forced ? "forced" : "drawn")}";

    public string SampleVersionIndex(string prompt, int version) => $"{SamplesTag}:idx:p:{prompt}:v:{version}";

    public string SampleArmIndex(string prompt, int version, string variant) => $"{SamplesTag}:idx:p:{prompt}:v:{version}:a:{variant}";

    /// <summary>Samples served by one catalog model (prompt and plain requests alike).</summary>
    public string SampleModelIndex(string model) => $"{SamplesTag}:idx:m:{model}";

    /// <summary>Plain-model samples of one model: the set the count cap trims for requests without a prompt.</summary>
    public string SamplePlainIndex(string model) => $"{SamplesTag}:idx:plain:{model}";

    /// <summary>Hash of one minute of a prompt's behaviour in one environment: <c>version|variant|metric|stat</c> → number.</summary>
    public string BehaviourMinute(string prompt, string environment, long minute) => $"{BehaviourTag(prompt)}:m:{environment}:{minute}";

    /// <summary>
    /// A shadow step's paired readings per minute (hash, fields <c>candidate|role|metric|stat</c>, role stable, candidate
    /// or diff): kept apart from the served series, which hold only what users saw.
    /// </summary>
    public string BehaviourPairsMinute(string prompt, string environment, long minute) => $"{BehaviourTag(prompt)}:pm:{environment}:{minute}";

    /// <summary>
    /// The hourly rollup of <see cref="BehaviourPairsMinute"/> (the hour's first minute): a long shadow step reads its whole
    /// hours from it, and a step paused past the minutes' retention still has them when resumed.
    /// </summary>
    public string BehaviourPairsHour(string prompt, string environment, long hourStartMinute) => $"{BehaviourTag(prompt)}:ph:{environment}:{hourStartMinute}";

    /// <summary>
    /// The served series' latency histograms of one minute (<c>version|variant|metric|h|bucket</c> fields), apart from
    /// <see cref="BehaviourMinute"/>: only a rollout judging a quantile reads them, and the change detector reads the
    /// sums' hashes whole every minute.
    /// </summary>
    public string BehaviourQuantilesMinute(string prompt, string environment, long minute) => $"{BehaviourTag(prompt)}:qm:{environment}:{minute}";

    /// <summary>The hourly rollup of <see cref="BehaviourQuantilesMinute"/> (the hour's first minute).</summary>
    public string BehaviourQuantilesHour(string prompt, string environment, long hourStartMinute) => $"{BehaviourTag(prompt)}:qh:{environment}:{hourStartMinute}";

    /// <summary>The hourly rollup of <see cref="BehaviourMinute"/> (the hour's first minute).</summary>
    public string BehaviourHour(string prompt, string environment, long hourStartMinute) => $"{BehaviourTag(prompt)}:h:{environment}:{hourStartMinute}";

    /// <summary>
    /// HyperLogLog of the distinct assignment units (hashed stickiness keys: sessions, users, else gateway keys) of one
    /// version and arm in one minute: a canary step counts its arms' units, as requests of one unit all land on one arm.
    /// Same tag as the series, so a window's minute and hour HLLs are counted together (PFCOUNT of several keys).
    /// </summary>
    public string BehaviourUnitsMinute(string prompt, string environment, int version, string variant, long minute) =>
        $"{BehaviourTag(prompt)}:um:{environment}:{version}:{variant}:{minute}";

    /// <summary>The hourly rollup of <see cref="BehaviourUnitsMinute"/> (the hour's first minute).</summary>
    public string BehaviourUnitsHour(string prompt, string environment, int version, string variant, long hourStartMinute) =>
        $"{BehaviourTag(prompt)}:uh:{environment}:{version}:{variant}:{hourStartMinute}";

    /// <summary>
    /// Sorted set of the prompt's samples of one environment counted in its series (scored by when), so a redelivered
    /// sample is not counted twice. Per environment, as the samples' count cap is.
    /// </summary>
    public string BehaviourCounted(string prompt, string environment) => $"{BehaviourTag(prompt)}:counted:{environment}";

    /// <summary>The marks of every environment in one set, as they were kept before: read only, until they expire.</summary>
    public string BehaviourCountedOfPrompt(string prompt) => $"{BehaviourTag(prompt)}:counted";

    /// <summary>Hash of every metric a prompt has a series of in one environment → <c>rate</c> or <c>value</c>.</summary>
    public string BehaviourMetrics(string prompt, string environment) => $"{BehaviourTag(prompt)}:metrics:{environment}";

    /// <summary>Sorted set of detected changes (JSON) by detection time.</summary>
    public string BehaviourChanges(string prompt, string environment) => $"{BehaviourTag(prompt)}:changes:{environment}";

    /// <summary>Hash of metric → the first minute of its current level (the last change's boundary), where the detector's next look starts.</summary>
    public string BehaviourSegments(string prompt, string environment) => $"{BehaviourTag(prompt)}:segments:{environment}";

    /// <summary>Set of <c>prompt|environment</c> pairs that have behaviour series (written idempotently beside each batch).</summary>
    public string BehaviourIndex => $"{Prefix}:{{beh}}:index";

    /// <summary>Hash of <see cref="BehaviourIndex"/> member → when a batch last counted into it (unix ms), so the detector can drop idle series from the index.</summary>
    public string BehaviourSeen => $"{Prefix}:{{beh}}:seen";

    /// <summary>The change detector's lease: one instance looks at a time.</summary>
    public string BehaviourDetectorLease => $"{Prefix}:{{beh}}:detector-lease";

    /// <summary>Nano-USD a prompt's online judge spent in one environment on one UTC day.</summary>
    public string JudgeSpend(string prompt, string environment, string day) => $"{BehaviourTag(prompt)}:judge-spend:{environment}:{day}";

    /// <summary>Hash of a prompt's rollout in one environment: <c>json</c> (the rollout), <c>revision</c>, <c>fence</c> (the highest fencing token that wrote it).</summary>
    public string Rollout(string prompt, string environment) => $"{PromptTag(prompt)}:rollout:{environment}";

    /// <summary>The rollout controller's lease on one rollout: <c>holder|fencing token</c>.</summary>
    public string RolloutLease(string prompt, string environment) => $"{PromptTag(prompt)}:rollout-lease:{environment}";

    /// <summary>The counter that hands out the rollout's fencing tokens.</summary>
    public string RolloutFenceSequence(string prompt, string environment) => $"{PromptTag(prompt)}:rollout-fence:{environment}";

    /// <summary>Set of <c>prompt|environment</c> pairs with a rollout that is running or paused.</summary>
    public string RolloutIndex => $"{Prefix}:rollouts";

    /// <summary>List of one environment's rollout notifications not yet delivered to its webhook, oldest first (the payloads' JSON).</summary>
    public string RolloutWebhookOutbox(string environment) => $"{Prefix}:{{webhooks}}:outbox:{environment}";

    /// <summary>The lease of the one instance that delivers an environment's rollout notifications.</summary>
    public string RolloutWebhookSenderLease(string environment) => $"{Prefix}:{{webhooks}}:sender:{environment}";

    /// <summary>Hash of environment → its webhook's last outcome (JSON), whichever instance delivered it: what <c>/readyz</c> reports.</summary>
    public string RolloutWebhookStatus => $"{Prefix}:{{webhooks}}:status";

    /// <summary>Pub/sub channel on which changes are announced to every gateway instance.</summary>
    public string ChangesChannel => $"{Prefix}:changes";

    // One slot for all samples: they are written at the sampling rate, not the request rate, and
    // listing with any filter then needs no cross-slot reads.
    private string SamplesTag => $"{Prefix}:{{samples}}";

    private string PromptTag(string prompt) => $"{Prefix}:{{p:{prompt}}}";

    // A prompt's behaviour is written in one Lua step per batch (sample marks and series together): one slot per prompt.
    private string BehaviourTag(string prompt) => $"{Prefix}:{{beh:{prompt}}}";
}
