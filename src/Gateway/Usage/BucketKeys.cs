using LlmGateway.Store;

namespace LlmGateway.Usage;

/// <summary>The minute and hour hash keys of the current minute, built once per minute rather than per request.</summary>
internal sealed class BucketKeys(StoreKeys keys)
{
    private long _minute = -1;
    private (string Minute, string Hour) _current;

    public (string Minute, string Hour) For(long minute)
    {
        if (minute != _minute)
        {
            _current = (keys.UsageMinute(minute), keys.UsageHour(minute / 60 * 60));
            _minute = minute;
        }

        return _current;
    }
}
