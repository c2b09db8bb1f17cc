using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LlmGateway.Telemetry;

/// <summary>The gateway's own activity source and meter names, shared by every feature.</summary>
internal static class GatewayTelemetry
{
    public const string Name = "LlmGateway";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);
}
