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

    /// <summary>Transfers to third countries (Art. 30(2)(c)) of recipients outside the sub-processor register: recipient, country, safeguard.</summary>
    public List<Transfer> Transfers { get; set; } = [];

    /// <summary>
    /// The supervisory authorities Steward may have to notify as controller (P-27): the lead authority is the one of
    /// <see cref="MainEstablishment"/> (Art. 56(1)); a client established elsewhere (<see cref="ClientEstablishments"/>)
    /// brings its country's authority in as concerned (Art. 4(22)).
    /// </summary>
    public List<Authority> Authorities { get; set; } = [];

    /// <summary>ISO alpha-2 country of the processor's main establishment in the EU.</summary>
    public string? MainEstablishment { get; set; }

    /// <summary>Client id → ISO alpha-2 country, for a client established in another country than the processor.</summary>
    public Dictionary<string, string> ClientEstablishments { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The lead authority (Art. 56(1)), or null when none is configured for the main establishment.</summary>
    public Authority? LeadAuthority => Authorities.FirstOrDefault(a => string.Equals(a.Country, MainEstablishment, StringComparison.OrdinalIgnoreCase));

    /// <summary>The authorities of the other countries where these clients are established (Art. 4(22)(a)).</summary>
    public List<Authority> ConcernedAuthorities(IEnumerable<Guid> clientIds) =>
        clientIds.Select(id => ClientEstablishments.GetValueOrDefault(id.ToString())).Where(c => c is not null && !string.Equals(c, MainEstablishment, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(c => Authorities.FirstOrDefault(a => string.Equals(a.Country, c, StringComparison.OrdinalIgnoreCase)) ?? new Authority { Country = c!.ToUpperInvariant(), Name = "the supervisory authority of " + c.ToUpperInvariant() })
            .ToList();

    /// <summary>The DPO contact of Art. 33(3)(b), or null when none is configured.</summary>
    public string? DpoContact =>
        string.IsNullOrWhiteSpace(DpoName) && string.IsNullOrWhiteSpace(DpoEmail) ? null
        : string.Join(", ", new[] { DpoName, DpoEmail, DpoPhone }.Where(v => !string.IsNullOrWhiteSpace(v)));

    /// <summary>Who receives DPO alerts, and escalations (DPO and CEO).</summary>
    public IReadOnlyList<string> Dpo => string.IsNullOrWhiteSpace(DpoEmail) ? [] : [DpoEmail];
    public IReadOnlyList<string> DpoAndCeo => new[] { DpoEmail, CeoEmail }.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    public sealed class Authority
    {
        public string Country { get; set; } = "";
        public string Name { get; set; } = "";
        /// <summary>Where notices go: the authority's breach form, address or email.</summary>
        public string? Contact { get; set; }

        public override string ToString() => string.IsNullOrWhiteSpace(Contact) ? $"{Name} ({Country})" : $"{Name} ({Country}), {Contact}";
    }

    public sealed class Transfer
    {
        public string Recipient { get; set; } = "";
        public string Country { get; set; } = "";
        public string Safeguard { get; set; } = "";
    }
}
