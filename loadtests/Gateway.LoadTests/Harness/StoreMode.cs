namespace LlmGateway.LoadTests.Harness;

/// <summary>Where the gateway's store runs during a harness command.</summary>
internal enum StoreMode
{
    /// <summary>Garnet in a child process of its own: its RSS and CPU can be read apart from the gateway's, and it can be cut.</summary>
    Process,

    /// <summary>The gateway's own in-process Garnet (no <c>Redis:Configuration</c>), as the gateway ships by default.</summary>
    Embedded,
}
