using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Contacts;
using Steward.Data;
using Steward.Http;

namespace Steward.Records;

/// <summary>
/// P-49 (Personizely Appendix 1, GenieBelt §3.3/3.4): the data inventory of one client, generated from the live schema
/// — the contact fields Steward has, the client's declared custom fields and the fields its widgets collect — in its
/// two types: the client's own account data, and the data the client controls. The controller warrants that it is
/// accurate, so it reviews it and records corrections; each review is kept with who and when.
/// </summary>
public sealed class DataInventory(StewardDb db, AuditLog audit, AuditContext actor, TimeProvider clock)
{
    public sealed record Item(string Field, string Kind, string Description, bool MandatoryAtSignUp = false, string? Correction = null);
    public sealed record ReviewView(Guid Id, DateTimeOffset ReviewedAt, string ReviewedBy, bool Confirmed, List<Correction> Corrections);
    public sealed record Correction(string? Field, string? Note);
    public sealed record Inventory(Guid ClientId, DateTimeOffset GeneratedAt, List<Item> ClientPersonalData, List<Item> DataControlledByClient, List<ReviewView> Reviews);
    public sealed record Request(bool? Confirmed, List<Correction>? Corrections);

    /// <summary>The account data Steward keeps about the client itself; the first four are refused sign-up when missing.</summary>
    public static readonly Item[] AccountData =
    [
        new("email", "account", "The owner's and team members' email addresses (sign-in, notices)", true),
        new("name", "account", "The owner's and team members' names", true),
        new("company", "account", "The client's (company) name", true),
        new("ipAddress", "account", "IP address and user agent at each acceptance of the legal documents", true),
        new("passwordHash", "account", "A salted slow hash of each user's password, never the password"),
        new("accessLogIp", "account", "IP addresses in the access log, six months (G-47)"),
    ];

    public async Task<Inventory> HandleAsync(Guid clientId, CancellationToken ct)
    {
        var reviews = await ReviewsAsync(clientId, ct);
        var corrections = reviews.SelectMany(r => r.Corrections).Where(c => c.Field is not null)
            .GroupBy(c => c.Field!).ToDictionary(g => g.Key, g => g.Last().Note, StringComparer.Ordinal);
        Item Corrected(Item i) => corrections.TryGetValue(i.Field, out var note) ? i with { Correction = note } : i;

        var custom = await db.CustomFields.IgnoreQueryFilters().AsNoTracking().Where(f => f.ClientId == clientId).OrderBy(f => f.Name).ToListAsync(ct);
        var collected = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var widgets = await db.Widgets.IgnoreQueryFilters().AsNoTracking().Where(w => w.ClientId == clientId).Select(w => new { w.Id, w.Name }).ToListAsync(ct);
        foreach (var v in await db.WidgetVersions.IgnoreQueryFilters().AsNoTracking().Where(v => v.ClientId == clientId).ToListAsync(ct))
            foreach (var field in JsonSerializer.Deserialize<List<string>>(v.Fields) ?? [])
                (collected.TryGetValue(field, out var names) ? names : collected[field] = new(StringComparer.Ordinal)).Add(widgets.FirstOrDefault(w => w.Id == v.WidgetId)?.Name ?? "widget");
        string Widgets(string field) => collected.TryGetValue(field, out var names) ? $"; collected by the widget(s) {string.Join(", ", names)}" : "";

        var controlled = ContactFields.Standard.Select(f => new Item(f.Name, "contact field", "Contact field of Personizely Appendix 1" + Widgets(f.Name)))
            .Concat(custom.Select(f => new Item("custom:" + f.Name, "custom field", $"The client's own field ({f.Type}{(f.Required ? ", required" : "")})" + Widgets(f.Name))))
            .Append(new Item("consentRecords", "consent", "Each consent and withdrawal with the widget version and text shown, time and evidence"))
            .Select(Corrected).ToList();
        return new Inventory(clientId, clock.GetUtcNow(), AccountData.Select(Corrected).ToList(), controlled, reviews);
    }

    /// <summary>The controller confirms the inventory or corrects items of it; every field named must be in it.</summary>
    public async Task<Result<ReviewView>> ReviewAsync(Guid clientId, Request request, CancellationToken ct)
    {
        var inventory = await HandleAsync(clientId, ct);
        var fields = inventory.ClientPersonalData.Concat(inventory.DataControlledByClient).Select(i => i.Field).ToHashSet(StringComparer.Ordinal);
        var corrections = request.Corrections ?? [];
        var problems = new Problems();
        if (request.Confirmed is null) problems.Add("confirmed", "Say whether the inventory is accurate (true) or corrected below (false).");
        if (request.Confirmed is false && corrections.Count == 0) problems.Add("corrections", "Name each field to correct with a note.");
        if (corrections.Count > 100) problems.Add("corrections", "At most 100 corrections at once.");
        foreach (var c in corrections)
        {
            if (c.Field is null || !fields.Contains(c.Field)) problems.Add("corrections", $"'{ContactFields.Safe(c.Field ?? "null")}' is not a field of this inventory.");
            if (string.IsNullOrWhiteSpace(c.Note) || c.Note.Length > 1000) problems.Add("corrections", "Each correction needs a note of at most 1000 characters.");
        }
        if (problems.Any) return Errors.Invalid(problems);

        var review = new DataInventoryReview
        {
            Id = Guid.CreateVersion7(),
            ClientId = clientId,
            ReviewedAt = clock.GetUtcNow(),
            ReviewedBy = actor.ActorId ?? actor.ActorType,
            Confirmed = request.Confirmed!.Value,
            Corrections = JsonSerializer.Serialize(corrections.Select(c => new Correction(c.Field, c.Note!.Trim())), JsonSerializerOptions.Web),
        };
        await using var write = await db.BeginWriteAsync(ct);
        db.Add(review);
        await audit.RecordAsync(db, "ReviewDataInventory", "data-inventory", review.Id.ToString(), ct, clientId: clientId, status: 201);
        await write.CommitAsync(ct);
        return View(review);
    }

    private async Task<List<ReviewView>> ReviewsAsync(Guid clientId, CancellationToken ct) =>
        (await db.Set<DataInventoryReview>().IgnoreQueryFilters().AsNoTracking().Where(r => r.ClientId == clientId).ToListAsync(ct))
            .OrderBy(r => r.ReviewedAt).ThenBy(r => r.Id).Select(View).ToList();

    private static ReviewView View(DataInventoryReview r) =>
        new(r.Id, r.ReviewedAt, r.ReviewedBy, r.Confirmed, JsonSerializer.Deserialize<List<Correction>>(r.Corrections, JsonSerializerOptions.Web) ?? []);
}

/// <summary>One review of a client's data inventory by the controller (P-49): who, when, and what it corrected.</summary>
public sealed class DataInventoryReview : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public DateTimeOffset ReviewedAt { get; set; }
    public required string ReviewedBy { get; set; }
    public bool Confirmed { get; set; }
    /// <summary>JSON array of {field, note}: names of fields and the controller's notes, no contact's value.</summary>
    public required string Corrections { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<DataInventoryReview>(e =>
    {
        e.HasIndex(r => new { r.ClientId, r.ReviewedAt });
        e.Property(r => r.ReviewedBy).HasMaxLength(100);
        e.Property(r => r.Corrections).HasMaxLength(120_000);
    });
}
