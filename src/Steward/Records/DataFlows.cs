using Microsoft.Extensions.Options;
using Steward.Data;
using Steward.Dpo;
using Steward.Instructions;
using Steward.SubProcessors;

namespace Steward.Records;

/// <summary>
/// P-30: every destination a client's data goes to, each tied to the purpose and the instruction that allow it:
/// the primary store, the backups, each sub-processor (through the transfer gate), and the exports and returns to
/// the client itself. Generated from the live configuration, register and instructions. A destination the
/// instructions do not cover is listed with <c>DataGoes = false</c>: the transfer gate refuses it, so no tenant data
/// goes anywhere uninstructed.
/// </summary>
public sealed class DataFlows(StewardDb db, DataLocations locations, PurposeGate gate, IOptions<ProcessorOptions> processor, TimeProvider clock)
{
    public sealed record Flow(string Destination, string Kind, string Country, string Purpose, string Instruction, bool DataGoes, bool Instructed);
    public sealed record Inventory(Guid ClientId, DateTimeOffset GeneratedAt, List<Flow> Flows, List<Flow> Uninstructed);

    public async Task<Inventory> HandleAsync(Guid clientId, CancellationToken ct)
    {
        var allowed = (await gate.AllowedAsync(db, clientId, ct)).Select(p => p.Code).ToHashSet(StringComparer.Ordinal);
        var where = await locations.HandleAsync(clientId, ct);
        var flows = new List<Flow>();
        void Add(string destination, string kind, string country, string purpose, string instruction, bool dataGoes, bool authorised) =>
            flows.Add(new Flow(destination, kind, country, purpose, instruction, dataGoes, authorised && allowed.Contains(purpose)));

        Add($"{where.PrimaryDatabase.Provider} ({where.PrimaryDatabase.Engine}, {where.PrimaryDatabase.Region})", "primary-store", where.PrimaryDatabase.Country,
            Purposes.Storage, "DPA clause 3: storage of the client's data", true, true);
        Add($"{where.Backups.Provider} ({where.Backups.Region})", "backups", where.Backups.Country, Purposes.Storage,
            "DPA clause 3: storage, protection against loss of data", true, true);
        foreach (var s in where.SubProcessors)
            Add(s.Name, "sub-processor", string.Join(", ", s.Countries.Select(c => c.Country)), Purposes.ServiceProvision,
                $"Sub-processor for {s.Purpose}: {s.Reason}", s.ReceivesData, s.ReceivesData);
        Add("the client itself (exports on request, the return at termination)", "export", where.PrimaryDatabase.Country, Purposes.ApplicationFunctions,
            "The client's own instruction, each time: a full export of all its data is always possible", true, true);
        foreach (var t in processor.Value.Transfers)
            Add(t.Recipient, "transfer", t.Country, Purposes.ServiceProvision, $"Transfer recorded in the DPA under {t.Safeguard}", true, !string.IsNullOrWhiteSpace(t.Safeguard));
        return new Inventory(clientId, clock.GetUtcNow(), flows, flows.Where(f => f.DataGoes && !f.Instructed).ToList());
    }
}
