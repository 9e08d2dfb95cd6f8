using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Steward.Consents;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Requests;

/// <summary>
/// P-02: the client finds one data subject by email, phone or contact id and sees, in one response, everything held
/// about it in every store (<see cref="SubjectData"/>), and whether the identity is on the suppression list even when
/// no contact holds it. A restricted contact is shown only with a recorded reason (Art. 18(2)).
/// </summary>
public sealed class SearchSubjects(StewardDb db, BlindIndex index, SubjectData subjectData, RestrictedReads restricted)
{
    public sealed record Response(bool Found, bool Suppressed, List<JsonObject> Subjects);

    public async Task<Result<Response>> HandleAsync(Guid clientId, string? email, string? phone, Guid? contactId, string? reason, CancellationToken ct)
    {
        if ((email is null ? 0 : 1) + (phone is null ? 0 : 1) + (contactId is null ? 0 : 1) != 1)
            return Errors.Invalid("query", "Search by exactly one of email, phone or contactId.");
        byte[]? emailIndex = null, phoneIndex = null;
        IQueryable<Contact> query = db.Contacts.AsNoTracking();
        if (email is not null)
        {
            if (!Clients.SignUp.IsEmail(email)) return Errors.Invalid("email", "Not a valid email address.");
            emailIndex = await index.EmailAsync(clientId, email, ct);
            query = query.Where(c => c.EmailIndex == emailIndex);
        }
        else if (phone is not null)
        {
            phoneIndex = await index.PhoneAsync(clientId, phone, ct);
            if (phoneIndex is null) return Errors.Invalid("phone", "Not a valid phone number.");
            query = query.Where(c => c.PhoneIndex == phoneIndex);
        }
        else query = query.Where(c => c.Id == contactId);

        var contacts = await query.OrderBy(c => c.Id).Take(20).ToListAsync(ct);
        foreach (var contact in contacts)
            if (await restricted.CheckAsync(contact, reason, "SearchSubjects", ct) is { } refused) return refused;
        var subjects = new List<JsonObject>();
        foreach (var contact in contacts) subjects.Add((await subjectData.BuildAsync(clientId, contact.Id, ct)).Data);
        var suppressed = contacts.Count > 0
            ? subjects.Any(s => s["suppression"]?["listed"]?.GetValue<bool>() == true)
            : await Suppression.IsSuppressedAsync(db, emailIndex, phoneIndex, ct);
        return new Response(contacts.Count > 0, suppressed, subjects);
    }
}
