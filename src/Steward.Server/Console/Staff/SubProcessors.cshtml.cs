using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.SubProcessors;

namespace Steward.Server.Console.Staff;

/// <summary>The sub-processor register and its changes, as the API's AdminListSubProcessors and ListSubProcessorChanges read them.</summary>
public sealed class SubProcessorsModel(Register register, Changes changes, IOptions<SubProcessorOptions> options, TimeProvider clock) : ConsolePage
{
    public List<Register.AdminEntry> Entries { get; private set; } = [];
    public List<Changes.ChangeView> Pending { get; private set; } = [];
    public List<Changes.ChangeView> Past { get; private set; } = [];
    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!Can(Permissions.Compliance)) return Refuse();
        Entries = await register.AdminListAsync(ct);
        var all = await changes.ListAsync(ct);
        Pending = all.Where(c => c.Status == Steward.SubProcessors.SubProcessorChange.Pending).OrderBy(c => c.EffectiveAt).ToList();
        Past = all.Except(Pending).ToList();
        return Page();
    }

    /// <summary>When the evidence stops being current (P-12, G-20): the last review plus the review interval.</summary>
    public DateTimeOffset? ReviewDue(Register.AdminEntry e) => e.LastReviewedAt?.AddDays(options.Value.ReviewIntervalDays);
}
