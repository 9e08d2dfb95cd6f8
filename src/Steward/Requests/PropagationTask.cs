using Microsoft.EntityFrameworkCore;
using Steward.Data;

namespace Steward.Requests;

/// <summary>
/// Art. 19 (and Art. 17(2)): a recipient or sub-processor of the client's contact data must hear of a rectification,
/// an erasure or a restriction. One task per recipient, recorded with the request; it stays <c>pending</c> until the
/// sub-processor register and its connectors (the sub-processors issue) deliver it and mark it <c>done</c>.
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

    /// <summary>A task per configured recipient, inside the caller's write scope; the list for the completion record.</summary>
    public static List<object> Add(StewardDb db, RequestOptions options, SubjectRequest r, string action, DateTimeOffset now)
    {
        var record = new List<object>();
        foreach (var recipient in options.Recipients.Distinct(StringComparer.Ordinal))
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
        if (record.Count == 0)
            record.Add(new
            {
                to = "recipients and sub-processors",
                action,
                status = Pending,
                note = "None is registered for the client yet; each gets a task here once the sub-processor register names it."
            });
        return record;
    }
}
