using System.Globalization;
using LlmGateway.Behaviour;

namespace LlmGateway.Tests.Behaviour.Unit;

/// <summary><see cref="JudgeGate.Draw"/>: the same draw for a sample id on every evaluator, uniform in [0, 1).</summary>
public sealed class JudgeGateDrawTests
{
    private const int Ids = 20_000;

    [Fact]
    public void The_draw_of_an_id_is_always_the_same()
    {
        var draws = Enumerable.Range(0, 5).Select(_ => JudgeGate.Draw("smp_01JQ7Z4K2V")).Distinct().ToList();

        Assert.Single(draws);
        Assert.NotEqual(JudgeGate.Draw("smp_01JQ7Z4K2V"), JudgeGate.Draw("smp_01JQ7Z4K2W"));
    }

    [Fact]
    public void Draws_are_in_zero_to_one_and_a_tenth_fall_below_a_tenth()
    {
        var random = new Random(16);
        var below = 0;
        var sum = 0.0;
        for (var i = 0; i < Ids; i++)
        {
            var id = "smp_" + random.NextInt64().ToString("x16", CultureInfo.InvariantCulture);
            var draw = JudgeGate.Draw(id);
            Assert.True(draw is >= 0 and < 1, draw.ToString("R", CultureInfo.InvariantCulture));
            below += draw < 0.1 ? 1 : 0;
            sum += draw;
        }

        Assert.InRange(below / (double)Ids, 0.09, 0.11);
        Assert.InRange(sum / Ids, 0.49, 0.51);
    }

    [Fact]
    public void The_empty_id_draws_in_range()
    {
        var draw = JudgeGate.Draw(string.Empty);

        Assert.True(draw is >= 0 and < 1, draw.ToString("R", CultureInfo.InvariantCulture));
    }
}
