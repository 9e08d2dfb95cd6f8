using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Consents;

/// <summary>
/// The suppression list (Art. 21(2)–(3)): blind indexes of email addresses and phone numbers whose subject objected
/// to marketing. Only the keyed hash is kept — no address — so the list can outlive an erasure and still honour the
/// objection. A suppressed subject's widget submission records no marketing consent until the subject confirms a
/// fresh one through the link mailed to that address (<see cref="ResubscribeLinks"/>).
/// </summary>
public sealed class Suppression : ITenantOwned
{
    public const string Email = "email";
    public const string Phone = "phone";

    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public required string Kind { get; set; }
    public required byte[] Index { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>The objection that put it here.</summary>
    public Guid? RequestId { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<Suppression>(e =>
    {
        e.HasIndex(s => new { s.ClientId, s.Kind, s.Index }).IsUnique();
        e.Property(s => s.Kind).HasMaxLength(10);
    });

    /// <summary>Adds the indexes not yet listed, inside the caller's write scope. Returns how many are listed now.</summary>
    public static async Task<int> AddAsync(StewardDb db, Guid clientId, IEnumerable<(string Kind, byte[] Index)> entries, Guid? requestId,
        DateTimeOffset now, CancellationToken ct)
    {
        var count = 0;
        foreach (var (kind, index) in entries.DistinctBy(e => (e.Kind, Convert.ToBase64String(e.Index))))
        {
            count++;
            if (await db.Suppressions.AnyAsync(s => s.Kind == kind && s.Index == index, ct)) continue;
            db.Suppressions.Add(new Suppression { Id = Guid.CreateVersion7(), ClientId = clientId, Kind = kind, Index = index, At = now, RequestId = requestId });
        }
        return count;
    }

    /// <summary>Whether either index is listed, in one round trip (read on every widget submission).</summary>
    public static async Task<bool> IsSuppressedAsync(StewardDb db, byte[]? emailIndex, byte[]? phoneIndex, CancellationToken ct) =>
        (emailIndex is not null || phoneIndex is not null) && await AnyListed.For(db)(db, emailIndex ?? [], phoneIndex ?? [], ct); // an empty index matches none

    private static readonly CompiledQuery<Func<StewardDb, byte[], byte[], CancellationToken, Task<bool>>> AnyListed = new(() => EF.CompileAsyncQuery(
        (StewardDb db, byte[] email, byte[] phone, CancellationToken ct) =>
            db.Suppressions.Any(s => (s.Kind == Email && s.Index == email) || (s.Kind == Phone && s.Index == phone))));
}
