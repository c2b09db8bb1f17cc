using System.Diagnostics;
using System.Text.Json;
using LlmGateway.LoadTests.Http;
using LlmGateway.LoadTests.Scenarios;

namespace LlmGateway.LoadTests.Execution;

/// <summary>
/// Sends one request of the scenario and turns whatever happens into a <see cref="RequestOutcome"/>. It never
/// throws: one bad response must not end a run, it must be counted.
/// </summary>
internal sealed class RequestRunner(HttpClient client, ILoadScenario scenario, TimeSpan timeout, CancellationToken interrupt)
{
    public async Task<RequestOutcome> RunAsync(long intendedStart)
    {
        // Linked to Ctrl+C, so the catch blocks can tell an interrupt from a timeout.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        deadline.CancelAfter(timeout);
        var sentAt = Stopwatch.GetTimestamp();
        ByteCountingStream? body = null;
        try
        {
            using var request = scenario.CreateRequest();
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            body = new ByteCountingStream(await response.Content.ReadAsStreamAsync(deadline.Token));
            await using (body)
            {
                if (!response.IsSuccessStatusCode)
                {
                    // Drained so the connection goes back to the pool instead of being closed.
                    await body.CopyToAsync(Stream.Null, deadline.Token);
                    return RequestOutcome.Failed(intendedStart, sentAt, ErrorKinds.HttpStatus(response.StatusCode), body.BytesRead);
                }

                var observation = await scenario.ReadResponseAsync(response, body, deadline.Token);
                return new RequestOutcome(
                    intendedStart,
                    sentAt,
                    Stopwatch.GetTimestamp(),
                    observation.Failure,
                    body.BytesRead,
                    observation.ContentChunkTimestamps,
                    Aborted: false,
                    observation.Tag);
            }
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            return RequestOutcome.Interrupted(intendedStart, sentAt);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return RequestOutcome.Failed(intendedStart, sentAt, ErrorKinds.Timeout, body?.BytesRead ?? 0);
        }
        catch (HttpRequestException exception)
        {
            return RequestOutcome.Failed(intendedStart, sentAt, ErrorKinds.Of(exception.HttpRequestError), body?.BytesRead ?? 0);
        }
        catch (HttpIOException exception)
        {
            return RequestOutcome.Failed(intendedStart, sentAt, ErrorKinds.Of(exception.HttpRequestError), body?.BytesRead ?? 0);
        }
        catch (IOException)
        {
            return RequestOutcome.Failed(intendedStart, sentAt, ErrorKinds.Connection, body?.BytesRead ?? 0);
        }
        catch (JsonException)
        {
            return RequestOutcome.Failed(intendedStart, sentAt, ErrorKinds.Protocol, body?.BytesRead ?? 0);
        }
        catch (Exception)
        {
            // The generator's job is to count failures, so an unforeseen one is counted, not fatal.
            return RequestOutcome.Failed(intendedStart, sentAt, ErrorKinds.Other, body?.BytesRead ?? 0);
        }
    }
}
