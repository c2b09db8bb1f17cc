using System.Text.Json;
using LlmGateway.Contracts.Releases;
using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Releases;

/// <summary>
/// A requested change to a release, as the admin API and CLI express it. <see cref="ShadowShare"/> (basis points) goes
/// with a canary start at weight 0 only: the rollout controller's shadow step. <see cref="RolloutRevision"/>, the rollout
/// controller's: the change is made only if the rollout of this prompt and environment is still at that revision, in
/// the same atomic write, so an operator's pause or abort that lands after the controller's look wins; with
/// <see cref="FencingToken"/>, only while the controller's lease still holds that token, so a leader whose lease lapsed
/// mid-action (a pause, a slow store) cannot change the release under the leader that took over. <see cref="At"/>,
/// when given, is the change's time (the release's <c>updated_at</c>): a rollout start stamps its own, so a start whose
/// answer was lost can tell its canary from another's. <see cref="CanaryMustServe"/>, a rollout's step: the weight
/// changes only for the canary already serving (a step never starts one again over a rollback or abort that removed it).
/// <see cref="RolloutSampling"/>, a rollout's start: the rates its plan samples the arms at while its canary serves.
/// </summary>
internal sealed record ReleaseChange(
    string Action,
    int? Version,
    int? Weight,
    string? Reason,
    long? ExpectedRevision,
    JsonElement? Evidence,
    ReleaseSampling? Sampling = null,
    int ShadowShare = 0,
    long? RolloutRevision = null,
    DateTimeOffset? At = null,
    long? FencingToken = null,
    bool CanaryMustServe = false,
    RolloutSampling? RolloutSampling = null);
