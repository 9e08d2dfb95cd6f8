using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Breaches;

namespace Steward.Server.Console.Staff;

/// <summary>One breach as the API's GetBreach gives it: facts, clocks, notices and steps.</summary>
public sealed class BreachModel(BreachRegister register, TimeProvider clock) : ConsolePage
{
    public BreachRegister.View Breach { get; private set; } = null!;
    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task<IActionResult> OnGetAsync(Guid breachId, CancellationToken ct)
    {
        if (!Can(Permissions.Compliance)) return Refuse();
        var found = await register.OneAsync(breachId, ct);
        if (found.Value is null) return NotFound();
        Breach = found.Value;
        return Page();
    }
}
