namespace LlmGateway.Behaviour;

/// <summary>How a behaviour metric's values read, which decides how its series are summarised and tested.</summary>
internal enum MetricKind
{
    /// <summary>Each value is 0 or 1 (an event happened, or an assertion passed): the mean is a share.</summary>
    Rate,

    /// <summary>A measurement: tokens, USD, milliseconds, a graded score.</summary>
    Value,
}
