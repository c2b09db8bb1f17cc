using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>
/// Runs a comparison's phases one after the other against the systems of a started <see cref="TestBed"/>, the same
/// processes throughout (so a later phase runs on systems warmed by the earlier ones, and each phase warms them again
/// for its own code paths). After each phase it asks the store for its own memory accounting. When a process of the
/// bed ends, the phase it happened in stops and the later ones are listed as not run, each with the reason.
/// </summary>
internal static class CompareRun
{
    /// <param name="interrupt">Ctrl+C; the run also stops on <see cref="ChildSupervisor.Lost"/> of the bed's processes.</param>
    public static async Task<IReadOnlyList<PhaseResult>> RunAsync(TestBed bed, IReadOnlyList<ComparePhase> phases, CompareSettings settings, CancellationToken interrupt)
    {
        using var stop = bed.Children.StopOn(interrupt);
        using var metrics = bed.GatewayUrl is { } gatewayUrl ? new GatewayProbe(gatewayUrl) : null;
        var targets = settings.Systems.Select(system => system switch
        {
            SystemNames.Direct => new CompareTarget(system, bed.MockUrl, bed.Mock, null, null),
            SystemNames.YarpBare => new CompareTarget(system, bed.YarpUrl!, bed.Yarp!, null, null),
            _ => new CompareTarget(system, bed.GatewayUrl!, bed.Gateway!, bed.Store, metrics),
        }).ToList();

        var runner = new PhaseRunner(settings, targets, bed.ApiKey, bed.Children, stop.Token);
        var results = new List<PhaseResult>();
        foreach (var phase in phases)
        {
            if (stop.IsCancellationRequested)
            {
                if (await bed.Children.LossAsync() is not { } loss)
                {
                    break;
                }

                results.Add(PhaseResult.NotRun(phase, settings.Systems, loss.Reason));
                continue;
            }

            await Console.Error.WriteLineAsync($"phase {phase.Name}: {phase.Describe()}; load average {MachineInfo.LoadAverageNow()}");
            bed.Children.Stage = phase.Name;
            var result = await runner.RunAsync(phase);
            if (result.StoppedBy is not null)
            {
                await Console.Error.WriteLineAsync($"phase {phase.Name} stopped: {result.StoppedBy}");
                results.Add(result);
                continue;
            }

            var store = bed.Gateway is not null && bed.StoreEndpoint is { } endpoint
                ? await StoreMemory.TryReadAsync(endpoint, embeddedInGateway: bed.StoreMode == StoreMode.Embedded && bed.Store is null)
                : null;
            results.Add(result with { Store = store });
        }

        return results;
    }
}
