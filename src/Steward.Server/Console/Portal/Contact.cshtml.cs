using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Contacts;
using Steward.Http;

namespace Steward.Server.Console.Portal;

/// <summary>One contact, everything held about it (<see cref="ReadContacts.OneAsync"/>, as GET …/contacts/{id}).</summary>
public sealed class ContactModel(ReadContacts read) : PortalPage
{
    [FromRoute] public Guid ContactId { get; set; }
    public ContactFields.View? Contact { get; private set; }
    public bool MayErase => May(Rights.Remove);
    public bool MayModify => May(Rights.Modify);
    public bool MayExport => May(Rights.Export);
    /// <summary>The contact's processing is restricted: its values are not shown here (Art. 18(2)).</summary>
    public bool Restricted { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!May(Rights.Read)) return RefuseRight();
        var result = await read.OneAsync(Caller.ClientId, ContactId, null, ct);
        if (result.Error is { } error)
        {
            if (error is NotFoundError) return NotFound();
            // the API's refusal asks for its header; the portal's pages that read a restricted contact ask for the reason in a field
            if (error is ForbiddenError) Restricted = true;
            else ToModelState(error);
        }
        else Contact = result.Value;
        return Page();
    }

    public IEnumerable<(string Label, string Value)> Fields()
    {
        var c = Contact!;
        (string, string?)[] standard = [("Email", c.Email), ("First name", c.FirstName), ("Last name", c.LastName), ("Company", c.Company),
            ("Title", c.Title), ("Phone", c.Phone), ("Address", c.Address), ("Bio", c.Bio), ("IP address", c.IpAddress),
            ("Country", c.Country), ("City", c.City)];
        foreach (var (label, value) in standard) yield return (label, value ?? "—");
        foreach (var (name, value) in c.Custom) yield return (name, value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText());
        if (c.RestrictedAt is { } restricted) yield return ("Restricted since", restricted.ToString("yyyy-MM-dd"));
    }
}
