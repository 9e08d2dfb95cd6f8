using Microsoft.AspNetCore.Mvc;
using Steward.Http;
using Steward.Team;

namespace Steward.Server.Console.Portal;

/// <summary>
/// A destructive action on one thing that asks again first (<see cref="ConfirmClientUser"/>: the password or a current
/// code): the page shows the thing, and the post runs the API's use case only once the person confirmed.
/// </summary>
public abstract class ConfirmedActionPage<T> : PortalPage where T : class
{
    [BindProperty] public string? Confirmation { get; set; }
    public T? Item { get; private set; }
    public bool Done { get; private set; }

    /// <summary>The right the API's route uses.</summary>
    protected abstract string Right { get; }
    protected abstract Task<T?> FindAsync(CancellationToken ct);
    protected abstract Task<Result<T>> ActAsync(CancellationToken ct);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!May(Right)) return RefuseRight();
        return (Item = await FindAsync(ct)) is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!May(Right)) return RefuseRight();
        if ((Item = await FindAsync(ct)) is null) return NotFound();
        if (await ConfirmThenAsync(Confirmation, ActAsync, ct) is { } done) (Item, Done) = (done, true);
        return Page();
    }
}
