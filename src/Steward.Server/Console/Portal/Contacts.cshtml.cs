using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Contacts;

namespace Steward.Server.Console.Portal;

/// <summary>The client's contacts: found by email or phone through the blind index, or listed a page at a time (<see cref="ReadContacts"/>, as GET …/contacts).</summary>
public sealed class ContactsModel(ReadContacts read) : PortalPage
{
    public string? Email { get; private set; }
    public string? Phone { get; private set; }
    public List<ContactFields.View> Found { get; private set; } = [];
    public string? NextCursor { get; private set; }
    public IEnumerable<string> SearchErrors => ErrorsFor("").Concat(ErrorsFor("email")).Concat(ErrorsFor("phone"));
    public bool Searching => Email is not null || Phone is not null;

    public async Task<IActionResult> OnGetAsync(string? email, string? phone, string? cursor, CancellationToken ct)
    {
        if (!May(Rights.Read)) return RefuseRight();
        Email = string.IsNullOrWhiteSpace(email) ? null : email.Trim();
        Phone = string.IsNullOrWhiteSpace(phone) ? null : phone.Trim();
        var result = await read.FindAsync(Caller.ClientId, Email, Phone, Searching ? null : cursor, 50, ct);
        if (result.Error is { } error) ToModelState(error);
        else (Found, NextCursor) = (result.Value!.Items, result.Value.NextCursor);
        return Page();
    }
}
