namespace LlmGateway.LoadTests.Commands;

internal static class HarnessHelp
{
    public const string Text = """

        Harness commands: each starts its own store, mock provider and proxies on loopback ports, in child
        processes of this executable, and needs nothing running. Flags may also come from a JSON file
        (--config run.json, keys are flag names without dashes: {"scenario":"stream","rate":200}); flags
        given on the command line win.

          compare               Same scenario against direct (the mock), yarp-bare and gateway; markdown
                                table, JSON and a PNG chart.
              --scenario chat|prompt-chat|stream   --rate R | --concurrency N   --duration S   --warmup S
              --systems direct,yarp-bare,gateway   --out DIR (default loadtests/results)   --name NAME
          smoke                 prompt-chat and stream, ~10 s each at low rate against the real gateway;
                                exit 0 only with zero errors and correct responses.
              --duration S (default 10)   --rate R (default 20)
          rollback-under-load   prompt load while the release flips back and forth; propagation per flip.
              --flip api|raw   --flips N   --flip-interval S   --rate R
          store-outage          prompt load while the store connection is cut, then given back.
              --rate R   --outage S   --before S   --after S
          soak                  long prompt-chat run; proxy RSS and GC heap from start to end.
              --duration S (default 600)   --rate R (default 200)   --warmup S (default 30)

        """;
}
