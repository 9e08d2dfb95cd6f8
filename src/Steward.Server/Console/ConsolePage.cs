using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Steward.Access;
using Steward.Http;

namespace Steward.Server.Console;

/// <summary>What every console page shares: use-case errors as form errors (next to their field), and for staff
/// pages the signed-in person and the role matrix's answer for a permission.</summary>
public abstract class ConsolePage : PageModel
{
    /// <summary>An <see cref="Error"/> as model-state messages: an invalid field's under its name, the rest for the form.</summary>
    protected void ToModelState(Error error)
    {
        if (error is InvalidError invalid)
            foreach (var (field, messages) in invalid.Fields)
                foreach (var message in messages) ModelState.AddModelError(field, message);
        else ModelState.AddModelError("", error.Detail);
    }

    public IEnumerable<string> ErrorsFor(string field) =>
        ModelState.TryGetValue(field, out var entry) ? entry.Errors.Select(e => e.ErrorMessage) : [];

    public StaffPrincipal? Staff => StaffPrincipal.From(User);

    protected bool Can(string permission) =>
        Staff is { } staff && HttpContext.RequestServices.GetRequiredService<RoleMatrix>().Has(staff.Role, staff.LeadPm, permission);

    protected IActionResult Refuse() => Forbid(ConsoleAuthentication.SchemeName);
}
