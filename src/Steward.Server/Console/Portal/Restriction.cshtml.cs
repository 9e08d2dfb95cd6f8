using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Microsoft.EntityFrameworkCore;
using Steward.Contacts;
using Steward.Data;
using Steward.Http;
using Steward.Requests;

namespace Steward.Server.Console.Portal;

/// <summary>
/// Restricting a contact's processing (Art. 18) as the API does it: the subject's request is recorded
/// (<see cref="CreateRequest"/>), verified (<see cref="ChangeRequestStatus"/>) and carried out with its ground
/// (<see cref="FulfilRequest"/>), which tells the subject and each recipient. Lifting it is the API's two steps
/// (<see cref="LiftRestriction"/>): tell the subject why, then lift once the notice period has passed.
/// </summary>
public sealed class RestrictionModel(LiftRestriction lift, CreateRequest create, ChangeRequestStatus status, FulfilRequest fulfil, StewardDb db,
    TimeProvider clock)
    : PortalPage
{
    public static readonly (string Ground, string Label)[] Grounds =
    [
        ("accuracy-contested", "The subject contests the accuracy of the data, while it is checked (Art. 18(1)(a))"),
        ("unlawful-processing", "The processing is unlawful and the subject asks for restriction instead of erasure (Art. 18(1)(b))"),
        ("legal-claims", "The data are no longer needed but the subject needs them for legal claims (Art. 18(1)(c))"),
        ("objection-pending", "The subject objected and the objection is being weighed (Art. 18(1)(d))"),
        ("subject-request", "The subject asked for it without naming a ground"),
    ];

    [FromRoute] public Guid ContactId { get; set; }
    public ContactRestriction? Current { get; private set; }
    public string? Ground { get; private set; }
    public string? Reason { get; private set; }
    public string? Message { get; private set; }
    public bool MayChange => May(Rights.Modify);
    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!May(Rights.Read)) return RefuseRight();
        return await ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostRestrictAsync(string? ground, CancellationToken ct)
    {
        if (!MayChange) return RefuseRight();
        Ground = ground;
        // checked before a request is recorded, against the use case's own list, so a bad ground leaves no open request behind
        if (ground is null || !ContactRestriction.Grounds.Contains(ground)) ModelState.AddModelError("ground", "Choose the ground of the restriction.");
        else
        {
            var recorded = await create.HandleAsync(Caller.ClientId, new CreateRequest.Request("restriction", null, null, ContactId, "client", null, null), ct);
            var done = recorded.Error
                ?? (await status.HandleAsync(Caller.ClientId, recorded.Value!.Id, new ChangeRequestStatus.Request(Steward.Requests.SubjectRequest.Verified, null), ct)).Error
                ?? (await fulfil.HandleAsync(Caller.ClientId, recorded.Value!.Id, new FulfilRequest.Request(null, null, ground), ct)).Error;
            if (done is NotFoundError || (done is InvalidError invalid && invalid.Fields.ContainsKey("contactId"))) return NotFound();
            if (done is not null) ToModelState(done);
            else Message = "The contact's processing is restricted: it is only stored. The subject is told.";
        }
        return await ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostNoticeAsync(string? reason, CancellationToken ct)
    {
        if (!MayChange) return RefuseRight();
        Reason = reason;
        var result = await lift.NoticeAsync(Caller.ClientId, ContactId, new LiftRestriction.Request(reason), ct);
        if (result.Error is NotFoundError) return NotFound();
        if (result.Error is { } error) ToModelState(error);
        else Message = result.Value!.SubjectTold ? "The subject is told that the restriction will be lifted." : "No address to tell the subject at: the notice period runs all the same.";
        return await ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostLiftAsync(CancellationToken ct)
    {
        if (!MayChange) return RefuseRight();
        var result = await lift.LiftAsync(Caller.ClientId, ContactId, ct);
        if (result.Error is NotFoundError) return NotFound();
        if (result.Error is { } error) ToModelState(error);
        else Message = "The restriction is lifted.";
        return await ShowAsync(ct);
    }

    private async Task<IActionResult> ShowAsync(CancellationToken ct)
    {
        if (!await db.Contacts.AnyAsync(c => c.Id == ContactId, ct)) return NotFound();
        Current = await lift.CurrentAsync(ContactId, ct);
        return Page();
    }

    public static string LabelOf(string ground) => Array.Find(Grounds, g => g.Ground == ground).Label ?? ground;
}
