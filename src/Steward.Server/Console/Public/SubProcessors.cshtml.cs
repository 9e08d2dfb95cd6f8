using Steward.SubProcessors;

namespace Steward.Server.Console.Public;

/// <summary>The published sub-processor list (G-49), generated from the register: what <c>GET /v1/subprocessors</c> answers, as a page.</summary>
public sealed class SubProcessorsModel(Register register) : ConsolePage
{
    public List<Register.PublicEntry> Entries { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Entries = await register.PublicListAsync(ct);
}
