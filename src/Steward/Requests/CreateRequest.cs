using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Clients;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Requests;

/// <summary>
/// A client records a data subject request it received (source "client"), or asks processor staff to carry one out
/// on its written instruction (source "staff", P-04: counted per client and month, billable beyond the threshold).
/// The clock starts at receipt: one calendar month (Art. 12(3)).
/// </summary>
public sealed class CreateRequest(StewardDb db, KeyVault vault, BlindIndex index, AuditLog audit, AuditContext actor,
    IOptions<RequestOptions> options, TimeProvider clock)
{
    public sealed record Request(string? Type, List<string>? Emails, string? Phone, Guid? ContactId, string? Source,
        string? Instruction, DateTimeOffset? ReceivedAt);

    public async Task<Result<ReadRequests.View>> HandleAsync(Guid clientId, Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var problems = new Problems();
        var source = request.Source ?? "client";
        if (source is not ("client" or "staff")) problems.Add("source", "client, or staff (processor staff on the client's written instruction).");
        if (source == "staff" && string.IsNullOrWhiteSpace(request.Instruction)) problems.Add("instruction", "Attach the client's written instruction to the staff.");
        if (request.Instruction is { Length: > 10_000 }) problems.Add("instruction", "At most 10000 characters.");
        if (request.ReceivedAt is { } at && (at > now || at < now.AddYears(-1))) problems.Add("receivedAt", "When the request reached the client: not in the future, not over a year ago.");
        var identities = CheckIdentities(request.Type, request.Emails, request.Phone, request.ContactId is not null, problems);
        if (problems.Any) return Errors.Invalid(problems);

        var contactId = request.ContactId;
        if (contactId is { } given && !await db.Contacts.AnyAsync(c => c.Id == given, ct)) return Errors.Invalid("contactId", "There is no such contact.");
        contactId ??= await FindContactAsync(db, index, clientId, identities, ct);

        await using var write = await db.BeginWriteAsync(ct);
        var billable = source == "staff" && await AssistedThisMonthAsync(now, ct) >= await ThresholdAsync(db, options.Value, ct);
        var r = await NewAsync(vault, clientId, request.Type!, source, identities, request.Instruction?.Trim(), request.ReceivedAt ?? now, now, ct);
        r.ContactId = contactId;
        r.Billable = billable;
        r.HandledBy = source == "staff" ? RouteRequest.ByProcessor : RouteRequest.ByClient;
        db.SubjectRequests.Add(r);
        ChangeRequestStatus.AddStep(db, r, "created", null, actor, now);
        await audit.RecordAsync(db, "CreateSubjectRequest", "request", r.Id.ToString(), ct, status: 201);
        await write.CommitAsync(ct);
        return await ReadRequests.ViewAsync(db, vault, r, options.Value, now, ct);
    }

    /// <summary>A new request and its own key, stored in the vault before anything it seals is written.</summary>
    public static async Task<SubjectRequest> NewAsync(KeyVault vault, Guid clientId, string type, string source, ReadRequests.Identities identities,
        string? instruction, DateTimeOffset receivedAt, DateTimeOffset now, CancellationToken ct, string? changes = null)
    {
        var id = Guid.CreateVersion7();
        using var key = await vault.CreateAsync(clientId, id, ct);
        var due = RequestDeadlines.Due(receivedAt);
        return new SubjectRequest
        {
            Id = id,
            ClientId = clientId,
            Type = type,
            Status = SubjectRequest.Received,
            Source = source,
            IdentitiesSealed = key.Seal("identities", JsonSerializer.SerializeToUtf8Bytes(identities, Json.Strict)),
            InstructionSealed = key.Seal("instruction", instruction),
            ChangesSealed = key.Seal("changes", changes),
            ReceivedAt = receivedAt,
            CreatedAt = now,
            FirstDueOn = due,
            DueOn = due,
            UpdatedAt = now,
        };
    }

    /// <summary>The type, and at least one way to know the subject: email addresses (each checked), a phone, or a contact.</summary>
    public static ReadRequests.Identities CheckIdentities(string? type, List<string>? emails, string? phone, bool hasContact, Problems problems)
    {
        if (type is null || !SubjectRequest.Types.Contains(type)) problems.Add("type", "One of " + string.Join(", ", SubjectRequest.Types) + ".");
        var clean = new List<string>();
        foreach (var email in emails ?? [])
        {
            if (!SignUp.IsEmail(email)) problems.Add("emails", "Not a valid email address.");
            else if (!clean.Contains(BlindIndex.NormalizeEmail(email), StringComparer.Ordinal)) clean.Add(BlindIndex.NormalizeEmail(email));
        }
        if (clean.Count > 5) problems.Add("emails", "At most 5 email addresses.");
        var cleanPhone = phone?.Trim();
        if (cleanPhone is not null && (cleanPhone.Length > 50 || BlindIndex.NormalizePhone(cleanPhone).Length < 3)) problems.Add("phone", "Not a valid phone number.");
        if (clean.Count == 0 && string.IsNullOrEmpty(cleanPhone) && !hasContact) problems.Add("emails", "Name the subject: an email, a phone or a contact id.");
        return new ReadRequests.Identities(clean, string.IsNullOrEmpty(cleanPhone) ? null : cleanPhone);
    }

    /// <summary>The contact the identities point at, through the blind indexes, if there is one.</summary>
    public static async Task<Guid?> FindContactAsync(StewardDb db, BlindIndex index, Guid clientId, ReadRequests.Identities identities, CancellationToken ct)
    {
        foreach (var email in identities.Emails)
        {
            var mac = await index.EmailAsync(clientId, email, ct);
            var id = await db.Contacts.Where(c => c.EmailIndex == mac).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
            if (id is not null) return id;
        }
        if (await index.PhoneAsync(clientId, identities.Phone, ct) is { } phone)
            return await db.Contacts.Where(c => c.PhoneIndex == phone).OrderBy(c => c.Id).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
        return null;
    }

    public static async Task<int> ThresholdAsync(StewardDb db, RequestOptions options, CancellationToken ct) =>
        await db.RequestSettings.Select(s => s.AssistBillableThreshold).FirstOrDefaultAsync(ct) ?? options.AssistBillableThreshold;

    private Task<int> AssistedThisMonthAsync(DateTimeOffset now, CancellationToken ct)
    {
        var utc = now.UtcDateTime;
        var month = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return db.SubjectRequests.CountAsync(r => r.Source == "staff" && r.CreatedAt >= month, ct);
    }
}
