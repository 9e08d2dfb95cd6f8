using Microsoft.EntityFrameworkCore;
using Steward.Data;
using Steward.SubProcessors;

namespace Steward.Requests;

/// <summary>
/// Art. 19 (and Art. 17(2)): a recipient or sub-processor of the client's contact data must hear of a rectification,
/// an erasure or a restriction. One task per recipient, recorded with the request; it stays <c>pending</c> until someone tells
/// the recipient and marks it <c>done</c>.
/// Ids and names only: the task carries no personal value.
/// </summary>
public sealed class PropagationTask : ITenantOwned
{
    public const string Pending = "pending";
    public const string Done = "done";

    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid RequestId { get; set; }
    public Guid? ContactId { get; set; }
    /// <summary>erasure, rectification or restriction.</summary>
    public required string Action { get; set; }
    public required string Recipient { get; set; }
    public string Status { get; set; } = Pending;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DoneAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<PropagationTask>(e =>
    {
        e.HasIndex(t => new { t.ClientId, t.RequestId });
        e.HasIndex(t => new { t.Status, t.CreatedAt });
        e.Property(t => t.Action).HasMaxLength(20);
        e.Property(t => t.Recipient).HasMaxLength(200);
        e.Property(t => t.Status).HasMaxLength(20);
    });

    /// <summary>
    /// Who receives the client's contact data (Art. 15(1)(c), Art. 19): the recipients configured for the deployment and
    /// every active sub-processor that the transfer gate lets this client's data reach. One answer for the access
    /// package, the consent receipt and the tasks below.
    /// </summary>
    public static async Task<Recipients> RecipientsAsync(StewardDb db, TransferGate gate, RequestOptions options, Guid clientId, CancellationToken ct)
    {
        var subProcessors = new List<string>();
        foreach (var s in await db.SubProcessors.AsNoTracking().Where(s => s.Status == SubProcessor.Active).OrderBy(s => s.Name).ToListAsync(ct))
            if ((await gate.CheckAsync(db, clientId, s, ct)).Allowed) subProcessors.Add(s.Name);
        return new Recipients([.. options.Recipients.Distinct(StringComparer.Ordinal).Except(subProcessors, StringComparer.Ordinal)], subProcessors);
    }

    public sealed record Recipients(IReadOnlyList<string> Configured, IReadOnlyList<string> SubProcessors)
    {
        public IReadOnlyList<string> All => [.. Configured, .. SubProcessors];
    }

    /// <summary>
    /// A task per recipient, inside the caller's write scope; the list for the completion record. A sub-processor
    /// hears of an erasure through its own erasure request (P-09), sent by its connector, so it gets no task for it.
    /// </summary>
    public static List<object> Add(StewardDb db, Recipients recipients, SubjectRequest r, string action, DateTimeOffset now)
    {
        var record = new List<object>();
        foreach (var recipient in action == "erasure" ? recipients.Configured : recipients.All)
        {
            db.PropagationTasks.Add(new PropagationTask
            {
                Id = Guid.CreateVersion7(),
                ClientId = r.ClientId,
                RequestId = r.Id,
                ContactId = r.ContactId,
                Action = action,
                Recipient = recipient,
                CreatedAt = now,
            });
            record.Add(new { to = recipient, action, status = Pending });
        }
        if (action == "erasure")
            foreach (var name in recipients.SubProcessors)
                record.Add(new { to = name, action, status = "erasure-request", note = $"Sent by the sub-processor's connector; progress at /v1/clients/{r.ClientId}/erasures/{r.ContactId}." });
        if (record.Count == 0)
            record.Add(new
            {
                to = "recipients and sub-processors",
                action,
                status = "none",
                note = "No recipient or active sub-processor receives this client's contact data."
            });
        return record;
    }
}
