using Microsoft.EntityFrameworkCore;
using Steward.Data;

namespace Steward.Instructions;

public sealed class InstructionOptions
{
    /// <summary>Deployment default of `processor.ownStatisticsAllowed` (P-29; GenieBelt: no). Off unless the DPA allows it.</summary>
    public bool OwnStatisticsAllowed { get; set; }
    /// <summary>`processor.productMessagesToUsers` (G-43; GenieBelt: allowed, Personizely: not addressed). Off unless the DPA allows it.</summary>
    public bool ProductMessagesToUsers { get; set; }
}

/// <summary>
/// The purposes Steward processes client data for (P-28, G-04), from the DPA's documented instructions. Every kind
/// of processing is tagged with one of them. The default catalogue is exactly the registered purposes of GenieBelt
/// §4.4 (G-41) and comes with every DPA; the processor's own service statistics (P-29) and product messages (G-43)
/// only where the client's terms allow them; a client may register more of its own.
/// </summary>
public static class Purposes
{
    public sealed record Purpose(string Code, string Description, string[] Operations, bool Standard);

    public const string Storage = "storage";
    public const string CustomerServiceAccess = "customer-service-access";
    public const string CustomerServiceContact = "customer-service-contact";
    public const string ApplicationFunctions = "application-functions";
    public const string Misuse = "misuse";
    public const string ServiceProvision = "service-provision";
    public const string ServiceStatistics = "service-statistics";
    public const string ProductMessages = "product-messages";

    /// <summary>The processing operations of G-25 (DPA clause 3.2, Art. 4(2)).</summary>
    public static readonly string[] AllOperations =
    [
        "collection", "recording", "organisation", "structuring", "storage", "adaptation or alteration", "retrieval",
        "consultation", "use", "disclosure by transmission or dissemination", "alignment or combination", "restriction",
        "erasure or destruction",
    ];

    public static readonly Purpose[] BuiltIn =
    [
        new(Storage, "Storage", ["collection", "recording", "organisation", "structuring", "storage", "retrieval", "restriction", "erasure or destruction"], true),
        new(CustomerServiceAccess, "Access by customer service", ["retrieval", "consultation", "adaptation or alteration"], true),
        new(CustomerServiceContact, "Contact to and from customer service", ["consultation", "use", "disclosure by transmission or dissemination"], true),
        new(ApplicationFunctions, "Use of application functions", AllOperations, true),
        new(Misuse, "Detecting, preventing and fixing misuse", ["recording", "storage", "consultation", "alignment or combination", "erasure or destruction"], true),
        new(ServiceProvision, "Providing, maintaining and improving the service", ["storage", "retrieval", "consultation", "use", "erasure or destruction"], true),
        new(ServiceStatistics, "The processor's own service-quality statistics, aggregated (P-29)", ["consultation", "use", "alignment or combination"], false),
        new(ProductMessages, "The processor's messages to the client's users to improve their use of the product, chosen by their behaviour (behaviour-based targeting, G-43); each user may opt out",
            ["consultation", "use", "disclosure by transmission or dissemination"], false),
    ];

    public static Purpose? Find(string code) => Array.Find(BuiltIn, p => p.Code == code);
}

/// <summary>A purpose the client registered itself, with its documented instruction (P-28: "the controller can register extra purposes").</summary>
public sealed class ClientPurpose : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public required string Code { get; set; }
    public required string Description { get; set; }
    public required string Instruction { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<ClientPurpose>(e =>
    {
        e.HasIndex(p => new { p.ClientId, p.Code }).IsUnique();
        e.Property(p => p.Code).HasMaxLength(60);
        e.Property(p => p.Description).HasMaxLength(500);
        e.Property(p => p.Instruction).HasMaxLength(4000);
    });
}
