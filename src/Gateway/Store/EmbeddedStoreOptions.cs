using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Store;

/// <summary>Settings of the in-process Garnet server used when no Redis is configured.</summary>
internal sealed class EmbeddedStoreOptions
{
    /// <summary>Loopback port to listen on; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>
    /// Folder for checkpoints and the append-only file. Empty keeps everything in memory,
    /// which is right for the demo and tests but loses state on restart.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>Log memory of the store (Garnet size syntax), kept small for laptops and CI.</summary>
    [Required]
    public string Memory { get; set; } = "256m";

    /// <summary>Hash index size (Garnet size syntax).</summary>
    [Required]
    public string Index { get; set; } = "32m";
}
