using System.Diagnostics;

namespace LlmGateway.Telemetry;

/// <summary>The gateway's activity source and meter name, shared by every feature.</summary>
internal static class GatewayTelemetry
{
    public const string Name = "LlmGateway";

    public static readonly ActivitySource ActivitySource = new(Name);
}
