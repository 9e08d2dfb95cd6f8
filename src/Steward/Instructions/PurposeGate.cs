using Microsoft.EntityFrameworkCore;
using Steward.Data;
using Steward.Http;

namespace Steward.Instructions;

/// <summary>
/// The one check before any work tagged with a purpose runs for a client (P-28, G-04, P-29, P-33): the purpose must
/// be one the client's instructions allow, and no flag that the instruction looks unlawful may be open on it.
/// </summary>
public sealed class PurposeGate(Terms terms)
{
    public sealed record Allowed(string Code, string Description, string Source);

    public async Task<Error?> CheckAsync(StewardDb db, Guid clientId, string purpose, CancellationToken ct)
    {
        var allowed = await AllowedAsync(db, clientId, ct);
        if (!allowed.Any(a => a.Code == purpose))
            return Errors.Forbidden($"The purpose '{purpose}' is not in this client's documented instructions: the processing does not run.");
        if (await db.Set<InstructionFlag>().IgnoreQueryFilters().AnyAsync(f => f.ClientId == clientId && f.PurposeCode == purpose && f.ResolvedAt == null, ct))
            return Errors.Forbidden($"An instruction for the purpose '{purpose}' is flagged as possibly unlawful and is held until resolved.");
        return null;
    }

    /// <summary>
    /// P-43: an anonymised or aggregated dataset stays bound to the purpose its source data were obtained for. A job
    /// may use it only under that same purpose, and only while the client's instructions still allow it.
    /// </summary>
    public async Task<Error?> CheckDerivedAsync(StewardDb db, IDerivedDataset dataset, string purpose, CancellationToken ct) =>
        purpose != dataset.SourcePurpose
            ? Errors.Forbidden($"This dataset was derived for the purpose '{dataset.SourcePurpose}' and cannot be used for '{purpose}'.")
            : await CheckAsync(db, dataset.ClientId, purpose, ct);

    /// <summary>Every purpose this client's instructions allow today, with where it comes from.</summary>
    public async Task<List<Allowed>> AllowedAsync(StewardDb db, Guid clientId, CancellationToken ct)
    {
        var effective = await terms.ForAsync(db, clientId, ct);
        var list = Purposes.BuiltIn.Where(p => p.Standard || (p.Code == Purposes.ServiceStatistics && effective.OwnStatisticsAllowed)
                || (p.Code == Purposes.ProductMessages && terms.Instructions.ProductMessagesToUsers))
                .Select(p => new Allowed(p.Code, p.Description, p.Standard ? "dpa" : "dpa-terms")).ToList();
        list.AddRange(await db.Set<ClientPurpose>().IgnoreQueryFilters().AsNoTracking().Where(p => p.ClientId == clientId)
            .OrderBy(p => p.Code).Select(p => new Allowed(p.Code, p.Description, "client")).ToListAsync(ct));
        return list;
    }
}

/// <summary>A dataset derived from a client's data (aggregated, anonymised): it carries the purpose of its source (P-43).</summary>
public interface IDerivedDataset
{
    Guid ClientId { get; }
    string SourcePurpose { get; }
}
