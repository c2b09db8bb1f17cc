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
    public Task InvokeAsync(HttpContext context)
    {
        var exchange = context.Features.GetRequiredFeature<LlmExchange>();
        // Only a key with limits pays for the look at the body's other property names.
        var limited = exchange.Key.Limits is { IsEmpty: false };
        var unseen = limited && UnseenInput.IsRead(exchange.ClientBody.WrittenSpan, exchange.Scan);
        var audio = limited && AudioOutput.IsAsked(exchange.ClientBody.WrittenSpan, exchange.Scan);
        var reserving = budgets.ReserveAsync(exchange.Key, exchange.Model, exchange.InputEstimate, exchange.ReservedOutputTokens, unseen, exchange.Scan.PriorityTier, exchange.ProviderTools, audio);
        if (!reserving.IsCompletedSuccessfully)
        {
            // Pending: the ValueTask is its async method's own task, so AsTask allocates nothing.
            return ReserveThenForwardAsync(context, reserving.AsTask());
        }

        // A key without limits reserves nothing, at once: its request goes on without an async layer here (one
        // allocation fewer per request, as this stage would otherwise wait for the whole exchange).
        var (reservation, error) = reserving.Result;
        return reservation is null && error is null ? next(context) : ForwardAsync(context, reservation, error);
    }

    private async Task ReserveThenForwardAsync(HttpContext context, Task<(BudgetReservation? Reservation, GatewayError? Error)> reserving)
    {
        var (reservation, error) = await reserving;
        await ForwardAsync(context, reservation, error);
    }

    private async Task ForwardAsync(HttpContext context, BudgetReservation? reservation, GatewayError? error)
    {
        if (error is not null)
        {
            // The request ends here, refused: its upstream bodies go back now (the forward stage would have).
            context.Features.GetRequiredFeature<LlmExchange>().Upstream.Dispose();
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
