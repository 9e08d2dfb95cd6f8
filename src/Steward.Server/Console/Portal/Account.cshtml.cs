using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Steward.Access;
using Steward.Clients;
using Steward.Data;
using Steward.Instructions;
using Steward.Retention;
using Steward.Team;

namespace Steward.Server.Console.Portal;

/// <summary>
/// Cancellation and termination (P-07, P-20, P-47, G-21), with the API's use cases and rights: cancelling
/// (<see cref="CancelClient"/>, as POST …/cancel) with the choice at termination (<see cref="ChooseTermination"/>, as
/// POST …/termination), reactivating inside the grace window (<see cref="ReactivateClient"/>), and the return exports
/// (<see cref="ExportModel"/>). Cancelling and choosing destruction ask again (<see cref="ConfirmClientUser"/>).
/// The handler is the last path segment (…/account/cancel, …/account/termination, …/account/reactivate), so a cancelled
/// client's writes pass or stop at <see cref="ClientLifecycle.WriteRefusalAsync"/> exactly as on the API.
/// </summary>
public sealed class AccountModel(StewardDb db, Terms terms, ConfirmClientUser confirm, CancelClient cancel, ChooseTermination choose,
    ReactivateClient reactivate, ReadDestructions destructions) : PortalPage
{
    public Client Client { get; private set; } = null!;
    public int GraceDays { get; private set; }
    public int FreeExports { get; private set; }
    public List<ReturnExportRecord> Exports { get; private set; } = [];
    public List<DestructionReport.View> Destructions { get; private set; } = [];
    [BindProperty] public string? Choice { get; set; }
    [BindProperty] public string? Confirmation { get; set; }
    public string? Message { get; private set; }
    public bool MayChange => May(Rights.Modify);
    public bool MayExport => May(Rights.Export);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!May(Rights.Read)) return RefuseRight();
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCancelAsync(CancellationToken ct)
    {
        if (!MayChange) return RefuseRight();
        // the choice is asked with the cancellation; checked first, so a missing one cancels nothing
        if (Choice is not (TerminationChoice.Return or TerminationChoice.Destroy)) ModelState.AddModelError("choice", "Choose: return your data, or destroy them.");
        else if (await confirm.HandleAsync(Caller, Confirmation, ct) is { } refused) ToModelState(refused);
        else if ((await cancel.HandleAsync(Caller.ClientId, ct)).Error is { } error) ToModelState(error);
        else await ChooseAsync(ct);
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>Once cancelled: return (the default) or destroy now; destroying asks again.</summary>
    public async Task<IActionResult> OnPostTerminationAsync(CancellationToken ct)
    {
        if (!MayChange) return RefuseRight();
        if (Choice == TerminationChoice.Destroy && await confirm.HandleAsync(Caller, Confirmation, ct) is { } refused) ToModelState(refused);
        else await ChooseAsync(ct);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostReactivateAsync(CancellationToken ct)
    {
        if (!MayChange) return RefuseRight();
        var result = await reactivate.HandleAsync(Caller.ClientId, ct);
        if (result.Error is { } error) ToModelState(error);
        else Message = "The subscription is active again: everything is as it was.";
        await LoadAsync(ct);
        return Page();
    }

    private async Task ChooseAsync(CancellationToken ct)
    {
        var result = await choose.HandleAsync(Caller.ClientId, new ChooseTermination.Request(Choice), ct);
        if (result.Error is { } error) ToModelState(error);
        else Message = result.Value!.Choice == TerminationChoice.Destroy
            ? "The subscription is cancelled and destruction is chosen: your data are destroyed once the processor's CEO and DPO approve; the report appears below."
            : "The subscription is cancelled: your data are kept for you to take back until the end of the grace window, then erased.";
        Choice = null;
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Client = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == Caller.ClientId, ct);
        var effective = await terms.ForAsync(db, Caller.ClientId, ct);
        (GraceDays, FreeExports) = (effective.PostTerminationDays, effective.ExportFreeCount);
        Exports = await db.ReturnExports.AsNoTracking().OrderBy(r => r.Number).ToListAsync(ct);
        Destructions = await destructions.ListAsync(false, Caller.ClientId, ct);
    }
}
