using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Steward.Access;
using Steward.Http;

namespace Steward.Dpo;

public static class DutyEndpoints
{
    public static RouteGroupBuilder MapDuties(this RouteGroupBuilder processor)
    {
        var duties = processor.MapGroup("/duties").WithTags("DPO");
        duties.MapGet("/", async (bool? all, DutySchedule schedule, CancellationToken ct) => TypedResults.Ok(await schedule.ListAsync(all ?? false, ct)))
            .WithName("ListDuties").WithSummary("The DPO's duties, open first by due date, overdue flagged; ?all=true with the completions");
        duties.MapPost("/{dutyId:guid}/complete", async (Guid dutyId, CompleteDuty.Request request, StaffPrincipal by, CompleteDuty complete, CancellationToken ct) =>
                (await complete.HandleAsync(dutyId, request, by.Role, ct)).ToHttp(TypedResults.Ok))
            .WithName("CompleteDuty").WithSummary("Record a duty as done; a recurring one is scheduled again; a removal audit only with the DPO's sign-off (P-11)");
        return processor;
    }
}
