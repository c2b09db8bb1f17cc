using LlmGateway.Budgets;
using LlmGateway.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace LlmGateway.Pipeline;

/// <summary>
/// Stage 3: reserve the request's worst case against the key's limits before anything is sent.
/// The completion settles the reservation with what was billed, before the client sees the end of
/// the response; if the request never gets there, this stage settles it to nothing.
/// </summary>
internal sealed class BudgetStage(RequestDelegate next, BudgetGuard budgets)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var exchange = context.Features.GetRequiredFeature<LlmExchange>();
        var (reservation, error) = await budgets.ReserveAsync(exchange.Key, exchange.Model, exchange.InputEstimate, exchange.ReservedOutputTokens);
        if (error is not null)
        {
            await GatewayErrorWriter.WriteAsync(context, error);
            return;
        }

        if (reservation is null)
        {
            await next(context);
            return;
        }

        context.Features.Set(reservation);
        try
        {
            await next(context);
        }
        finally
        {
            // Whatever happened, a reservation is settled exactly once (to nothing if nothing was billed).
            await budgets.SettleAsync(reservation, actual: null);
        }
    }
}
