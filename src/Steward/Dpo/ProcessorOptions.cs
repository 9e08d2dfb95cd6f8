namespace Steward.Dpo;

/// <summary>
/// The processor's own profile (`Steward:Processor`): who it is, its DPO and CEO and its
/// transfers. It feeds the Art. 33(3)(b) contact of every breach notice, the records of
/// processing (Art. 30(2)(a), (c), (d)) and the evidence packages.
/// </summary>
public sealed class ProcessorOptions
{
    public string Name { get; set; } = "Steward processor";
    public string? Address { get; set; }
    public string? Email { get; set; }
    public string? DpoName { get; set; }
    public string? DpoEmail { get; set; }
    public string? DpoPhone { get; set; }
    public string? CeoEmail { get; set; }

    /// <summary>Transfers to third countries (Art. 30(2)(c)) until a sub-processor register exists: recipient, country, safeguard.</summary>
    public List<Transfer> Transfers { get; set; } = [];

    /// <summary>The DPO contact of Art. 33(3)(b), or null when none is configured.</summary>
    public string? DpoContact =>
        string.IsNullOrWhiteSpace(DpoName) && string.IsNullOrWhiteSpace(DpoEmail) ? null
        : string.Join(", ", new[] { DpoName, DpoEmail, DpoPhone }.Where(v => !string.IsNullOrWhiteSpace(v)));

    /// <summary>Who receives DPO alerts, and escalations (DPO and CEO).</summary>
    public IReadOnlyList<string> Dpo => string.IsNullOrWhiteSpace(DpoEmail) ? [] : [DpoEmail];
    public IReadOnlyList<string> DpoAndCeo => new[] { DpoEmail, CeoEmail }.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    public sealed class Transfer
    {
        public string Recipient { get; set; } = "";
        public string Country { get; set; } = "";
        public string Safeguard { get; set; } = "";
    }
}
