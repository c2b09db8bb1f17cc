using System.Collections.Frozen;
using LlmGateway.Auth;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Contracts.Releases;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Errors;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Releases;
using LlmGateway.Rewriting;
using LlmGateway.Routing;
using LlmGateway.Shadow;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Routing;

/// <summary>
/// Which bundle version serves a <c>prompt:&lt;name&gt;</c> request: the release of the key's environment split by the
/// sticky bucket, or an <c>X-Prompt-Version</c> pin for keys allowed to pin; and the exact error otherwise. Everything
/// is in memory: a published <see cref="ReleaseSnapshot"/> and, for pins, bundles already in the
/// <see cref="PreparedBundleCache"/> (its store is never started, so nothing here can reach one).
/// </summary>
public sealed class PromptRouterTests : IAsyncDisposable
{
    private const string Prompt = "support-bot";
    private const string Salt = "9c41e07b";

    private static readonly ModelCatalog Catalog = new(new CatalogOptions
    {
        Providers = { ["p"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://x/v1" } },
        Models = { ["gpt-4o-mini"] = new CatalogModelOptions { Provider = "p" } },
    });

    private static readonly BundlePreparer Preparer = new(new PromptTemplateAnalyzer(), Catalog);

    private static readonly PreparedBundle V1 = Prepare(Prompt, 1);
    private static readonly PreparedBundle V2 = Prepare(Prompt, 2);
    private static readonly PreparedBundle V3 = Prepare(Prompt, 3);

    private static readonly GatewayKey ProductionKey = Key("key-prod", "production");
    private static readonly GatewayKey PinKey = Key("key-pin", "production", GatewayKeyPermissions.Pin);

    private readonly ReleaseSnapshotProvider _snapshots = new(new ManualTimeProvider(DateTimeOffset.UnixEpoch));
    private readonly PreparedBundleCache _cache;
    private readonly PromptRouter _router;
    private readonly GatewayStore _store = new(Options.Create(new StoreOptions { KeyPrefix = "unit" }), NullLoggerFactory.Instance);

    public PromptRouterTests()
    {
        var store = _store;
        _cache = new PreparedBundleCache(new PromptRegistry(store, new ChangeNotifier(store), TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new PromptLimitsOptions())), Preparer);
        // No protected environment here: pins in a protected one read the store (tests/Security/PinApprovalTests).
        _router = Router(new ShadowOptions());
    }

    public ValueTask DisposeAsync() => _store.DisposeAsync();

    private PromptRouter Router(ShadowOptions shadow) =>
        new(_snapshots, _cache, new PinApprovals(Options.Create(new ReleaseOptions { ProtectedEnvironments = [] }), _store), Options.Create(shadow));

    private static ReleaseRecord ShadowRecord(int share) => new() { Stable = 1, Canary = 2, CanaryWeight = 0, ShadowShare = share, Salt = Salt };

    [Fact]
    public async Task In_a_shadow_step_every_user_gets_the_stable_version_and_the_share_is_marked_for_a_copy_to_the_candidate()
    {
        Publish(Release("production", V1, V2, record: ShadowRecord(10_000)));

        for (var i = 0; i < 50; i++)
        {
            var selection = await SelectOkAsync(ProductionKey, session: "s" + i);
            Assert.Equal((1, Variants.Stable, (int?)2), (selection.Bundle.Version, selection.Variant, selection.ShadowVersion));
        }
    }

    [Fact]
    public async Task The_shadow_share_is_a_share_of_requests_and_the_operator_cap_bounds_it()
    {
        Publish(Release("production", V1, V2, record: ShadowRecord(2_500)));
        var marked = 0;
        for (var i = 0; i < 4_000; i++)
        {
            marked += (await SelectOkAsync(ProductionKey, session: "same")).ShadowVersion is not null ? 1 : 0;
        }

        // A draw per request, not per user: one session sees about a quarter of its requests copied (±5 σ).
        Assert.InRange(marked, 1_000 - 137, 1_000 + 137);

        var capped = Router(new ShadowOptions { MaxShare = 0.1 });
        Publish(Release("production", V1, V2, record: ShadowRecord(10_000)));
        var cappedMarked = 0;
        for (var i = 0; i < 4_000; i++)
        {
            var (selection, _) = await capped.SelectAsync(Request(), ProductionKey, Prompt, null);
            cappedMarked += selection!.ShadowVersion is not null ? 1 : 0;
        }

        // The operator's cap wins over the plan's 100%: about 10% (±5 σ).
        Assert.InRange(cappedMarked, 400 - 95, 400 + 95);

        var off = Router(new ShadowOptions { Enabled = false });
        var (offSelection, _) = await off.SelectAsync(Request(), ProductionKey, Prompt, null);
        Assert.Null(offSelection!.ShadowVersion);
    }

    [Fact]
    public async Task A_rollouts_rates_go_with_both_arms_while_its_canary_serves_and_with_neither_once_it_is_gone()
    {
        var rates = new RolloutSampling { Stable = 0.5, Canary = 1 };
        Publish(Release("production", V1, V2, record: new ReleaseRecord { Stable = 1, Canary = 2, CanaryWeight = 5000, Salt = Salt, RolloutSampling = rates }));
        var selections = new List<PromptSelection>();
        for (var i = 0; i < 40; i++)
        {
            selections.Add(await SelectOkAsync(ProductionKey, session: "s" + i));
        }

        Assert.Contains(selections, s => s.Variant == Variants.Canary);
        Assert.Contains(selections, s => s.Variant == Variants.Stable);
        Assert.All(selections, s => Assert.Same(rates, s.RolloutSampling));

        // A shadow step is judged on its pairs (always sampled): the stable arm keeps its usual rate.
        Publish(Release("production", V1, V2, record: new ReleaseRecord { Stable = 1, Canary = 2, CanaryWeight = 0, ShadowShare = 10_000, Salt = Salt, RolloutSampling = rates }));
        Assert.Null((await SelectOkAsync(ProductionKey)).RolloutSampling);

        // A record written by hand that keeps the rates without a canary: no rollout runs, and no arm is sampled for one.
        Publish(Release("production", V1, record: new ReleaseRecord { Stable = 1, Salt = Salt, RolloutSampling = rates }));
        Assert.Null((await SelectOkAsync(ProductionKey)).RolloutSampling);
    }

    [Fact]
    public async Task Without_a_shadow_share_a_weightless_canary_gets_no_copies()
    {
        Publish(Release("production", V1, V2, record: ShadowRecord(0)));
        Assert.Null((await SelectOkAsync(ProductionKey)).ShadowVersion);
    }

    [Fact]
    public async Task A_shadow_call_is_served_the_candidate_paired_with_its_stable_sample_and_refused_once_the_step_is_over()
    {
        var shadowKey = new GatewayKey("shadow-production", "shadow", "production", [], DateTimeOffset.UnixEpoch) { IsShadow = true };
        Publish(Release("production", V1, V2, record: ShadowRecord(1_000)));
        var request = Request();
        var sampleId = LlmGateway.Sampling.SampleIds.New(DateTimeOffset.UnixEpoch);
        request.HttpContext.Features.Set(new ShadowCopy("production", sampleId, stableVersion: 1, candidateVersion: 2));

        var (selection, error) = await _router.SelectAsync(request, shadowKey, Prompt, null);
        Assert.Null(error);
        Assert.Equal((2, Variants.Shadow, sampleId, (int?)null), (selection!.Bundle.Version, selection.Variant, selection.PairedWith, selection.ShadowVersion));

        // A copy that waited across a release change (made for another stable version, or another candidate) is not
        // sent: paired with that other stable version's answer, it would move the new rollout's readings.
        foreach (var (stable, candidate) in new[] { (2, 2), (1, 3) })
        {
            var stale = Request();
            stale.HttpContext.Features.Set(new ShadowCopy("production", sampleId, stable, candidate));
            var (none, refused) = await _router.SelectAsync(stale, shadowKey, Prompt, null);
            Assert.Null(none);
            Assert.Equal((409, "shadow_ended"), (refused!.StatusCode, refused.Body.Code));
        }

        Publish(Release("production", V1, V2, weight: 500));
        var ended = await SelectErrorAsync(shadowKey);
        Assert.Equal((409, "shadow_ended"), (ended.StatusCode, ended.Body.Code));
    }

    [Fact]
    public async Task A_request_is_served_the_stable_version_released_in_its_key_environment()
    {
        var sampling = new ReleaseSampling { Stable = 0.5, Canary = 1, FloorPerHour = 3 };
        Publish(
            Release("production", V1, record: new ReleaseRecord { Stable = 1, Salt = Salt, Sampling = sampling }),
            Release("staging", V2));

        var production = await SelectOkAsync(ProductionKey);
        var staging = await SelectOkAsync(Key("key-staging", "staging"));

        Assert.Equal(new PromptSelection(V1, Variants.Stable, "production", sampling), production);
        Assert.Same(sampling, production.Sampling);
        Assert.Equal(new PromptSelection(V2, Variants.Stable, "staging", null), staging);
    }

    [Fact]
    public async Task An_unknown_prompt_is_a_404_on_model()
    {
        Publish(Release("production", V1));

        var error = await SelectErrorAsync(ProductionKey, prompt: "nope");

        Assert.Equal(404, error.StatusCode);
        Assert.Equal(new OpenAiError("No prompt is named 'nope'.", "invalid_request_error", "model", "prompt_not_found"), error.Body);
    }

    [Fact]
    public async Task A_known_prompt_without_a_release_in_the_key_environment_is_a_404_naming_the_environment()
    {
        Publish(Release("staging", V2));

        var error = await SelectErrorAsync(ProductionKey);

        Assert.Equal(404, error.StatusCode);
        Assert.Equal(new OpenAiError(
            "The prompt 'support-bot' has no release in the 'production' environment.", "invalid_request_error", "model", "release_not_found"), error.Body);
    }

    [Fact]
    public void A_known_prompt_name_is_the_snapshots_own_string_and_an_unknown_one_a_copy()
    {
        _snapshots.Publish(new ReleaseSnapshot(FrozenDictionary<(string, string), ActiveRelease>.Empty, new[] { Prompt }.ToFrozenSet(StringComparer.Ordinal), DateTimeOffset.UnixEpoch));
        var known = _snapshots.Current.KnownPrompt(Prompt.AsSpan());

        Assert.Same(known, _router.PromptName(("prompt:" + Prompt).AsSpan(7)));
        Assert.Equal(Prompt, known);
        Assert.Null(_snapshots.Current.KnownPrompt("no-such-prompt".AsSpan()));
        Assert.Equal("no-such-prompt", _router.PromptName("no-such-prompt".AsSpan()));
    }

    [Fact]
    public async Task A_prompt_that_exists_but_was_never_released_anywhere_is_release_not_found()
    {
        _snapshots.Publish(new ReleaseSnapshot(FrozenDictionary<(string, string), ActiveRelease>.Empty, new[] { Prompt }.ToFrozenSet(StringComparer.Ordinal), DateTimeOffset.UnixEpoch));

        var error = await SelectErrorAsync(ProductionKey);

        Assert.Equal("release_not_found", error.Body.Code);
    }

    [Fact]
    public async Task A_release_whose_stable_bundle_could_not_be_prepared_is_release_not_found_even_with_a_canary()
    {
        Publish(new ActiveRelease(Prompt, "production", new ReleaseRecord { Stable = 1, Canary = 2, CanaryWeight = 10_000, Salt = Salt }, "{}", null, V2));

        var error = await SelectErrorAsync(ProductionKey);

        Assert.Equal(404, error.StatusCode);
        Assert.Equal("release_not_found", error.Body.Code);
    }

    [Fact]
    public async Task Prompt_names_and_environments_match_exactly()
    {
        Publish(Release("production", V1));

        Assert.Equal("prompt_not_found", (await SelectErrorAsync(ProductionKey, prompt: "Support-Bot")).Body.Code);
        Assert.Equal("release_not_found", (await SelectErrorAsync(Key("k", "Production"))).Body.Code);
    }

    [Fact]
    public async Task A_full_weight_canary_serves_every_request_and_a_zero_weight_one_none()
    {
        Publish(Release("production", V1, V2, weight: 10_000), Release("staging", V1, V2, weight: 0));

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(new PromptSelection(V2, Variants.Canary, "production"), await SelectOkAsync(ProductionKey, session: "s" + i));
            Assert.Equal(new PromptSelection(V1, Variants.Stable, "staging"), await SelectOkAsync(Key("k", "staging"), session: "s" + i));
        }
    }

    [Fact]
    public async Task A_weight_without_a_canary_bundle_serves_the_stable_one()
    {
        Publish(new ActiveRelease(Prompt, "production", new ReleaseRecord { Stable = 1, Canary = 9, CanaryWeight = 10_000, Salt = Salt }, "{}", V1, null));

        Assert.Equal(new PromptSelection(V1, Variants.Stable, "production"), await SelectOkAsync(ProductionKey));
    }

    [Fact]
    public async Task The_arm_is_the_sticky_bucket_of_the_release_salt_the_prompt_and_the_session()
    {
        const int weight = 5000;
        Publish(Release("production", V1, V2, weight));

        // A session in the canary only under this release's salt and this prompt, and the opposite: so a router that
        // hashed another salt, another prompt or another key would pick the other arm.
        var canary = FirstKey(k => Canary(Salt, Prompt, k) && !Canary("", Prompt, k) && !Canary(Salt, "other", k) && !Canary(Salt, Prompt, ProductionKey.Id + k));
        var stable = FirstKey(k => !Canary(Salt, Prompt, k) && Canary("", Prompt, k) && Canary(Salt, "other", k));

        // Each carries the unit it was assigned by, with the salt, for its sample's unit hash.
        Assert.Equal(new PromptSelection(V2, Variants.Canary, "production", Stickiness: canary, Salt: Salt), await SelectWithUnitAsync(ProductionKey, session: canary));
        Assert.Equal(new PromptSelection(V1, Variants.Stable, "production", Stickiness: stable, Salt: Salt), await SelectWithUnitAsync(ProductionKey, session: stable));
        // Without a session, the body's user; without either, the key.
        Assert.Equal("u-1", (await SelectWithUnitAsync(ProductionKey, user: "u-1")).Stickiness);
        Assert.Equal(ProductionKey.Id, (await SelectWithUnitAsync(ProductionKey)).Stickiness);

        static bool Canary(string salt, string prompt, string key) => VariantSelector.IsCanary(salt, prompt, key, weight);
    }

    [Fact]
    public async Task The_same_caller_gets_the_same_arm_on_every_request()
    {
        Publish(Release("production", V1, V2, weight: 5000));

        for (var i = 0; i < 200; i++)
        {
            var session = "session-" + i;
            var first = await SelectOkAsync(ProductionKey, session: session);
            var again = await SelectOkAsync(ProductionKey, session: session);

            Assert.Equal(first, again);
            Assert.Equal(VariantSelector.IsCanary(Salt, Prompt, session, 5000) ? V2 : V1, first.Bundle);
        }
    }

    [Fact]
    public async Task The_stickiness_key_is_the_session_header_then_the_body_user_then_the_key_id()
    {
        Publish(Release("production", V1, V2, weight: 5000));
        static bool Canary(string key) => VariantSelector.IsCanary(Salt, Prompt, key, 5000);
        var canaryKey = Key(FirstKey(Canary, "key-"), "production");
        var stableKey = Key(FirstKey(k => !Canary(k), "key-"), "production");
        var canaryUser = FirstKey(Canary, "user-");
        var stableUser = FirstKey(k => !Canary(k), "user-");
        var canarySession = FirstKey(Canary, "session-");
        var stableSession = FirstKey(k => !Canary(k), "session-");

        Assert.Equal(Variants.Canary, (await SelectOkAsync(stableKey, session: canarySession, user: stableUser)).Variant);
        Assert.Equal(Variants.Stable, (await SelectOkAsync(canaryKey, session: stableSession, user: canaryUser)).Variant);
        Assert.Equal(Variants.Canary, (await SelectOkAsync(stableKey, user: canaryUser)).Variant);
        Assert.Equal(Variants.Stable, (await SelectOkAsync(canaryKey, user: stableUser)).Variant);
        Assert.Equal(Variants.Canary, (await SelectOkAsync(canaryKey, session: "", user: "")).Variant);
        Assert.Equal(Variants.Stable, (await SelectOkAsync(stableKey)).Variant);

        Assert.Equal("s", PromptRouter.StickinessKey(Request(session: "s"), "u", canaryKey));
        Assert.Equal("u", PromptRouter.StickinessKey(Request(session: ""), "u", canaryKey));
        Assert.Equal(canaryKey.Id, PromptRouter.StickinessKey(Request(), "", canaryKey));
        Assert.Equal(canaryKey.Id, PromptRouter.StickinessKey(Request(), null, canaryKey));
    }

    [Fact]
    public async Task Each_request_reads_the_snapshot_current_when_it_starts()
    {
        Publish(Release("production", V1, V2, weight: 10_000));
        var before = await SelectOkAsync(ProductionKey);

        Publish(Release("production", V3));
        var after = await SelectOkAsync(ProductionKey);

        Assert.Same(V2, before.Bundle);
        Assert.Equal(new PromptSelection(V3, Variants.Stable, "production"), after);
    }

    [Fact]
    public async Task A_pin_serves_that_version_outside_the_split_and_without_a_sampling_policy()
    {
        Publish(Release("production", V1, V2, weight: 10_000, record: new ReleaseRecord { Stable = 1, Canary = 2, CanaryWeight = 10_000, Salt = Salt, Sampling = new ReleaseSampling { Stable = 1 } }));
        Seed(V3);

        var selection = await SelectOkAsync(PinKey, pin: "3");

        Assert.Equal(new PromptSelection(V3, Variants.Pinned, "production", null), selection);
    }

    [Fact]
    public async Task A_pin_is_served_from_the_bundle_cache_before_the_snapshot_knows_the_prompt()
    {
        _snapshots.Publish(ReleaseSnapshot.Empty);
        Seed(V2);

        Assert.Equal(new PromptSelection(V2, Variants.Pinned, "staging"), await SelectOkAsync(Key("k", "staging", "debug", GatewayKeyPermissions.Pin), pin: "2"));
    }

    [Fact]
    public async Task A_pin_of_a_version_the_environment_s_release_serves_uses_the_release_s_bundle_without_the_cache_or_the_store()
    {
        // Nothing seeded and no store: the bundle cache may have started over, and the store may be down.
        Publish(Release("production", V1, V2, weight: 10));

        Assert.Same(V1, (await SelectOkAsync(PinKey, pin: "1")).Bundle);
        Assert.Same(V2, (await SelectOkAsync(PinKey, pin: "2")).Bundle);
    }

    [Fact]
    public async Task A_pin_with_leading_zeros_is_that_version()
    {
        Seed(V2);

        Assert.Same(V2, (await SelectOkAsync(PinKey, pin: "002")).Bundle);
    }

    [Theory]
    [InlineData("")]
    [InlineData("debug")]
    [InlineData("Pin")]
    [InlineData("pin |debug")]
    public async Task A_pin_from_a_key_without_the_pin_permission_is_a_403_whatever_else_is_wrong(string permissions)
    {
        Publish(Release("production", V1));
        var key = Key("k", "production", permissions.Split('|', StringSplitOptions.RemoveEmptyEntries));

        foreach (var (prompt, pin) in new[] { (Prompt, "1"), ("nope", "1"), (Prompt, "abc") })
        {
            var error = await SelectErrorAsync(key, prompt: prompt, pin: pin);

            Assert.Equal(403, error.StatusCode);
            Assert.Equal(new OpenAiError(
                "This key may not pin prompt versions (X-Prompt-Version); it needs the 'pin' permission.", "permission_error", "X-Prompt-Version", "pin_not_permitted"), error.Body);
        }
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("000")]
    [InlineData("-1")]
    [InlineData("+2")]
    [InlineData(" 2")]
    [InlineData("2 ")]
    [InlineData("2.0")]
    [InlineData("1e1")]
    [InlineData("0x1")]
    [InlineData("2147483648")]
    [InlineData("v2")]
    public async Task A_pin_that_is_not_a_positive_version_number_is_a_400_quoting_it(string pin)
    {
        Seed(V2);

        var error = await SelectErrorAsync(PinKey, pin: pin);

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(new OpenAiError($"X-Prompt-Version must be a version number, not '{pin}'.", "invalid_request_error", "X-Prompt-Version", "invalid_value"), error.Body);
    }

    [Fact]
    public async Task Two_pin_headers_are_refused_rather_than_one_picked()
    {
        Seed(V1);
        Seed(V2);
        var request = Request();
        request.Headers[PromptHeaders.PinVersion] = new Microsoft.Extensions.Primitives.StringValues(["1", "2"]);

        var (selection, error) = await _router.SelectAsync(request, PinKey, Prompt, null);

        Assert.Null(selection);
        Assert.Equal("invalid_value", error?.Body.Code);
        Assert.Equal("X-Prompt-Version must be a version number, not '1,2'.", error?.Body.Message);
    }

    [Fact]
    public async Task An_empty_pin_header_is_no_pin()
    {
        Publish(Release("production", V1));

        Assert.Equal(new PromptSelection(V1, Variants.Stable, "production"), await SelectOkAsync(ProductionKey, pin: ""));
    }

    private static PreparedBundle Prepare(string name, int version)
    {
        var bundle = new PromptBundle
        {
            Id = $"id-{version}", Name = name, Version = version, Author = "t", Model = "gpt-4o-mini",
            Messages = [new PromptMessageTemplate("system", $"v{version}")],
        };
        var (prepared, problem) = Preparer.Prepare(bundle);
        Assert.True(prepared is not null, problem);
        return prepared;
    }

    private static GatewayKey Key(string id, string environment, params string[] permissions) =>
        new(id, "app", environment, permissions, DateTimeOffset.UnixEpoch);

    private static ActiveRelease Release(string environment, PreparedBundle stable, PreparedBundle? canary = null, int weight = 0, ReleaseRecord? record = null) =>
        new(stable.Name, environment, record ?? new ReleaseRecord { Stable = stable.Version, Canary = canary?.Version, CanaryWeight = weight, Salt = Salt }, "{}", stable, canary);

    private void Publish(params ActiveRelease[] releases) =>
        _snapshots.Publish(new ReleaseSnapshot(
            releases.ToFrozenDictionary(r => ReleaseSnapshot.Key(r.Prompt, r.Environment)),
            releases.Select(r => r.Prompt).ToFrozenSet(StringComparer.Ordinal),
            DateTimeOffset.UnixEpoch.AddSeconds(1)));

    /// <summary>Puts a bundle in the cache as a pin (or the snapshot loader) would have left it.</summary>
    private void Seed(PreparedBundle bundle) => _cache.Keep(bundle.Name, bundle.Version, bundle);

    private static string FirstKey(Func<string, bool> wanted, string prefix = "k") =>
        Enumerable.Range(0, 100_000).Select(i => prefix + i).First(wanted);

    private static HttpRequest Request(string? session = null, string? pin = null)
    {
        var request = new DefaultHttpContext().Request;
        if (session is not null)
        {
            request.Headers[PromptHeaders.SessionId] = session;
        }

        if (pin is not null)
        {
            request.Headers[PromptHeaders.PinVersion] = pin;
        }

        return request;
    }

    /// <summary>The selection, without the assignment unit's strings (asserted on their own where they are the point).</summary>
    private async Task<PromptSelection> SelectOkAsync(GatewayKey key, string prompt = Prompt, string? session = null, string? user = null, string? pin = null) =>
        await SelectWithUnitAsync(key, prompt, session, user, pin) with { Stickiness = null, Salt = null };

    private async Task<PromptSelection> SelectWithUnitAsync(GatewayKey key, string prompt = Prompt, string? session = null, string? user = null, string? pin = null)
    {
        var (selection, error) = await _router.SelectAsync(Request(session, pin), key, prompt, user);
        Assert.True(error is null, error?.Body.Message);
        Assert.NotNull(selection);
        return selection;
    }

    private async Task<GatewayError> SelectErrorAsync(GatewayKey key, string prompt = Prompt, string? pin = null)
    {
        var (selection, error) = await _router.SelectAsync(Request(pin: pin), key, prompt, null);
        Assert.Null(selection);
        Assert.NotNull(error);
        return error;
    }
}
