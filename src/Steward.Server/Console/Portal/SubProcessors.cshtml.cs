using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.SubProcessors;

namespace Steward.Server.Console.Portal;

/// <summary>
/// The changes announced to the client, with an Object button while the window is open (<see cref="Changes"/>, as
/// GET and POST …/subprocessor-changes), and where its data lives (<see cref="DataLocations"/>, as GET …/data-locations).
/// </summary>
public sealed class SubProcessorsModel(Changes changes, DataLocations locations, TimeProvider clock) : PortalPage
{
    public List<Changes.ClientChangeView> Announced { get; private set; } = [];
    public DataLocations.View Locations { get; private set; } = null!;
    public DateTimeOffset Now => clock.GetUtcNow();
    public bool MayObject => May(Rights.Modify);
    public Guid? ObjectingTo { get; private set; }
    public string? Reason { get; private set; }
    public string? Message { get; private set; }

    /// <summary>The reason's errors, next to the field of the change they are about.</summary>
    public IEnumerable<string> ReasonErrors(Guid changeId) => ObjectingTo == changeId ? ErrorsFor("reason") : [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!May(Rights.Read)) return RefuseRight();
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostObjectAsync(Guid changeId, string? reason, CancellationToken ct)
    {
        if (!MayObject) return RefuseRight();
        var result = await changes.ObjectAsync(Caller.ClientId, changeId, new Changes.ObjectionRequest(reason), ct);
        if (result.Error is { } error)
        {
            (ObjectingTo, Reason) = (changeId, reason);
            ToModelState(error);
        }
        else Message = "Your objection is recorded: the processor answers it before the change takes effect for you.";
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Announced = await changes.ForClientAsync(Caller.ClientId, ct);
        Locations = await locations.HandleAsync(Caller.ClientId, ct);
    }
}
