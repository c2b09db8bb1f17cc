namespace LlmGateway.Eval.Statistics.ChangePoints;

/// <summary>How quickly and where the evaluator finds a step.</summary>
/// <param name="Step">The simulated step.</param>
/// <param name="SamplesPerMinute">Mean samples a minute (Poisson counts).</param>
/// <param name="Trials">Simulated hours.</param>
/// <param name="Detected">Share of hours in which a change in the step's direction was recorded after the step and before the hour ended.</param>
/// <param name="WrongDirection">Share of hours whose first change recorded after the step went the wrong way.</param>
/// <param name="FalseAlarmBeforeStep">Share of hours with a change recorded before the step.</param>
/// <param name="MedianSamplesToDetection">Of the detected: median samples from the step to the look that recorded it.</param>
/// <param name="P95SamplesToDetection">Of the detected: 95th percentile of the same.</param>
/// <param name="MedianMinutesToDetection">Of the detected: median minutes from the step to that look.</param>
/// <param name="BoundaryWithinTwoMinutes">Of the detected: share whose first bucket of the new level is within ±2 minutes of the step.</param>
public sealed record PowerFigures(
    SimulatedStep Step,
    double SamplesPerMinute,
    int Trials,
    double Detected,
    double WrongDirection,
    double FalseAlarmBeforeStep,
    double MedianSamplesToDetection,
    double P95SamplesToDetection,
    double MedianMinutesToDetection,
    double BoundaryWithinTwoMinutes);
