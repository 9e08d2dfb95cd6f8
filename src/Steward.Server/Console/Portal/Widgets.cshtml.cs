using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Widgets;

namespace Steward.Server.Console.Portal;

/// <summary>The client's widgets at their current version: fields, each purpose's consent text and the privacy notice (<see cref="DefineWidget.ListAsync"/>, as GET …/widgets).</summary>
public sealed class WidgetsModel(DefineWidget define) : PortalPage
{
    public List<DefineWidget.View> Widgets { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!May(Rights.Read)) return RefuseRight();
        Widgets = await define.ListAsync(ct);
        return Page();
    }
}
