using LlmGateway.Admin;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Serialization;

namespace LlmGateway.Rollouts;

/// <summary><c>/admin/v1/prompts/{name}/rollouts/{environment}</c>: start a rollout, read it, and take manual control.</summary>
internal static class RolloutsApi
{
    private static readonly string[] ControlActions = ["pause", "resume", "abort", "skip-step"];

    public static RouteGroupBuilder MapRolloutsApi(this RouteGroupBuilder admin)
    {
        var rollouts = admin.MapGroup("/prompts/{name}/rollouts/{environment}").WithTags("Rollouts");
        rollouts.MapGet("/", GetAsync).Produces<RolloutView>().WithName("ShowRollout")
            .WithSummary("A rollout's plan, step, weights and the latest per-metric evidence.");
        rollouts.MapPost("/", StartAsync).Accepts<RolloutStartRequest>("application/json").Produces<RolloutView>(StatusCodes.Status201Created)
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Operator)).WithName("StartRollout")
            .WithSummary("Roll a version out by a plan (the request's, else the bundle's rollout block, else the default): the controller advances, promotes or aborts it from the evidence.");
        foreach (var action in ControlActions)
        {
            rollouts.MapPost("/" + action, (string name, string environment, HttpContext http, RolloutService service) => ControlAsync(action, name, environment, http, service))
                .Accepts<RolloutControlRequest>("application/json").Produces<RolloutView>()
                .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Operator)).WithName("Rollout" + string.Concat(action.Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..])))
                .WithSummary($"Manual control: {action}. Always wins over the controller.");
        }

        return admin;
    }

    private static async Task<IResult> GetAsync(string name, string environment, RolloutService service) =>
        Result(await service.GetAsync(name, environment), StatusCodes.Status200OK);

    private static async Task<IResult> StartAsync(string name, string environment, HttpContext http, RolloutService service)
    {
        var (request, error) = await AdminRequestBody.ReadAsync(http.Request, AdminInputJsonContext.Default.RolloutStartRequest, new RolloutStartRequest());
        if (error is not null)
        {
            return error;
        }

        if (OperatorReason.Check(request!.Reason) is { } tooLong)
        {
            return tooLong;
        }

        var outcome = await service.StartAsync(name, environment, request, AdminAuthorizationFilter.Principal(http).Name, http.RequestAborted);
        return Result(outcome, StatusCodes.Status201Created);
    }

    private static async Task<IResult> ControlAsync(string action, string name, string environment, HttpContext http, RolloutService service)
    {
        var (request, error) = await AdminRequestBody.ReadAsync(http.Request, AdminInputJsonContext.Default.RolloutControlRequest, new RolloutControlRequest());
        if (error is not null)
        {
            return error;
        }

        if (OperatorReason.Check(request!.Reason) is { } tooLong)
        {
            return tooLong;
        }

        return Result(await service.ControlAsync(name, environment, action, request.Reason, AdminAuthorizationFilter.Principal(http).Name, http.RequestAborted), StatusCodes.Status200OK);
    }

    private static IResult Result(RolloutOutcome outcome, int status) =>
        outcome.PlanErrors is { Count: > 0 } errors
            ? AdminResults.Error(StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_plan",
                $"The rollout plan is invalid: {string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"))}", errors[0].Field, errors)
        : outcome.Refusal is { } refusal ? AdminResults.From(refusal)
        : Results.Json(outcome.View, GatewayJsonContext.Default.RolloutView, statusCode: status);
}
