using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Requests;

/// <summary>
/// A client reads and changes how its data subjects' requests are handled: <c>forward</c> (the processor passes
/// every request to the client, Personizely DPA 8.1) or <c>direct</c> (the processor carries out unsubscribe,
/// rectification, erasure and restriction itself and reports them, GenieBelt 4.4), and how many staff-assisted
/// requests a month are free before they are billable (P-04).
/// </summary>
public sealed class ChangeRequestSettings(StewardDb db, AuditLog audit, IOptions<RequestOptions> options, TimeProvider clock)
{
    public sealed record Request(string? Mode, int? AssistBillableThreshold);
    public sealed record View(string Mode, int AssistBillableThreshold, bool ThresholdIsDefault);

    public async Task<View> GetAsync(CancellationToken ct)
    {
        var settings = await db.RequestSettings.AsNoTracking().SingleOrDefaultAsync(ct);
        return ToView(settings);
    }

    public async Task<Result<View>> HandleAsync(Guid clientId, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (request.Mode is not (null or RequestSettings.Forward or RequestSettings.Direct)) problems.Add("mode", "forward or direct.");
        if (request.AssistBillableThreshold is < 0 or > 100_000) problems.Add("assistBillableThreshold", "From 0 to 100000 a month.");
        if (problems.Any) return Errors.Invalid(problems);

        await using var write = await db.BeginWriteAsync(ct);
        var settings = await db.RequestSettings.SingleOrDefaultAsync(ct);
        if (settings is null) db.RequestSettings.Add(settings = new RequestSettings { ClientId = clientId });
        settings.Mode = request.Mode ?? settings.Mode;
        settings.AssistBillableThreshold = request.AssistBillableThreshold ?? settings.AssistBillableThreshold;
        settings.UpdatedAt = clock.GetUtcNow();
        await audit.RecordAsync(db, "ChangeRequestSettings", "client", clientId.ToString(), ct);
        await write.CommitAsync(ct);
        return ToView(settings);
    }

    private View ToView(RequestSettings? settings) => new(settings?.Mode ?? RequestSettings.Forward,
        settings?.AssistBillableThreshold ?? options.Value.AssistBillableThreshold, settings?.AssistBillableThreshold is null);
}
