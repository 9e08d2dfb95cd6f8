using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Steward.Data;

namespace Steward.SubProcessors;

/// <summary>
/// Art 15 across the third parties: for an access request, every sub-processor that receives this client's data is
/// asked, through its connector's access calls, what it holds about the person; a vendor without an access API answers
/// with what to do instead. The answers go into the subject's package (sealed like the rest of it); the request's
/// certificate keeps a receipt per vendor, with no personal value.
/// </summary>
public sealed class AccessAtSubProcessors(StewardDb db, TransferGate gate, Connectors connectors)
{
    public sealed record Answer(string SubProcessor, string Status, string Response, int Pages, int Items, JsonObject? Data);

    public async Task<List<Answer>> AskAsync(Guid clientId, Guid requestId, string email, CancellationToken ct)
    {
        var vendors = new List<SubProcessor>();
        foreach (var s in await db.SubProcessors.AsNoTracking().Where(s => s.Status == SubProcessor.Active).OrderBy(s => s.Name).ToListAsync(ct))
            if (await gate.MayHoldAsync(db, clientId, s, ct)) vendors.Add(s); // otherwise it never received this client's data
        // the vendors are asked at once: one slow vendor costs its own timeout, not the sum of all
        var outcomes = await Task.WhenAll(vendors.Select(s => connectors.AccessAsync(s, requestId, email, ct)));
        return vendors.Zip(outcomes, (s, o) => new Answer(s.Name, o.Status, o.Response, o.Pages, o.Items, o.Data)).ToList();
    }
}
