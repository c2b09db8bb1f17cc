namespace LlmGateway.Hosting;

/// <summary>Registered only by <c>--demo</c>: what the demo-key check looks for, since configuration can be set by anyone.</summary>
internal sealed class DemoModeMarker;
