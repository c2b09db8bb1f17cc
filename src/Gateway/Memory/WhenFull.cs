namespace LlmGateway.Memory;

/// <summary>What a full <see cref="BoundedMemo{TKey, TValue}"/> does with a new entry.</summary>
internal enum WhenFull
{
    /// <summary>Forgets everything and keeps the new entry: what is in use now comes back within a few requests.</summary>
    StartOver,

    /// <summary>Keeps what it has and not the new entry: for sets where the first entries are the ones that matter.</summary>
    KeepFirst,
}
