using Yarp.ReverseProxy.Forwarder;

namespace LlmGateway.Proxy;

internal static partial class ProxyLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Forwarding to provider '{Provider}' failed: {Error} ({ExceptionType}).")]
    public static partial void ForwardFailed(ILogger logger, string provider, ForwarderError error, string exceptionType);
}
