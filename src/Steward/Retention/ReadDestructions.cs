using Microsoft.EntityFrameworkCore;
using Steward.Data;
using Steward.Http;

namespace Steward.Retention;

/// <summary>Destruction reports: a client reads its own (the tenant filter), staff read every client's.</summary>
public sealed class ReadDestructions(StewardDb db, IEnumerable<IResidualStore> stores)
{
    private IQueryable<Destruction> Visible(bool staff) => staff ? db.Destructions.IgnoreQueryFilters() : db.Destructions;

    public async Task<List<DestructionReport.View>> ListAsync(bool staff, Guid? clientId, CancellationToken ct)
    {
        var rows = await Visible(staff).AsNoTracking().Where(d => clientId == null || d.ClientId == clientId)
            .OrderByDescending(d => d.RequestedAt).Take(200).ToListAsync(ct);
        return [.. rows.Select(d => DestructionReport.Of(d, stores.Select(s => s.Name)))];
    }

    public async Task<Result<DestructionReport.View>> GetAsync(bool staff, Guid destructionId, CancellationToken ct) =>
        await Visible(staff).AsNoTracking().SingleOrDefaultAsync(d => d.Id == destructionId, ct) is { } d
            ? DestructionReport.Of(d, stores.Select(s => s.Name))
            : Errors.NotFound("destruction");
}
