namespace LlmGateway.Behaviour;

/// <summary>
/// The mark of the online judge's own call, in process: a request feature the judge's handler sets on the exchange it
/// runs the call on. Only code in this process can set a feature, so no request from the network can claim to be the
/// judge (the <c>user: gateway-online-judge</c> it sends is a field any client can send too). Its call carries the live
/// answer being graded and the rubric: it is never sampled (<see cref="Sampling.SamplingPolicy"/>).
/// </summary>
internal sealed class OnlineJudgeCall
{
    public static readonly OnlineJudgeCall Instance = new();

    private OnlineJudgeCall()
    {
    }
}
