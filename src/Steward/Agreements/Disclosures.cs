using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Data;
using Steward.Dpo;
using Steward.Http;

namespace Steward.Agreements;

/// <summary>
/// A disclosure of a client's personal data to a third party (P-44, G-05, DPA Art 9.2): allowed only with the client's
/// explicit permission, when the assignment needs it, or when the law requires it, and logged with that basis.
/// </summary>
public sealed class Disclosure : ITenantOwned
{
    public const string ClientPermission = "client-permission";
    public const string Assignment = "assignment";
    public const string LegalObligation = "legal-obligation";
    public static readonly string[] Bases = [ClientPermission, Assignment, LegalObligation];

    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    /// <summary>The receiving organisation (an authority, a court, a company).</summary>
    public required string Recipient { get; set; }
    public required string Basis { get; set; }
    /// <summary>The client's written permission, or the legal order.</summary>
    public string? Reference { get; set; }
    public required string DataDescription { get; set; }
    /// <summary>Legal obligation: was the client told before the disclosure? If not, the legal reason why not.</summary>
    public bool? ClientPreNotified { get; set; }
    public string? NoNoticeReason { get; set; }
    public DateTimeOffset DisclosedAt { get; set; }
    public required string RecordedBy { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<Disclosure>(e =>
    {
        e.HasIndex(d => d.ClientId);
        e.Property(d => d.Recipient).HasMaxLength(200);
        e.Property(d => d.Basis).HasMaxLength(30);
        e.Property(d => d.Reference).HasMaxLength(500);
        e.Property(d => d.DataDescription).HasMaxLength(2000);
        e.Property(d => d.NoNoticeReason).HasMaxLength(2000);
        e.Property(d => d.RecordedBy).HasMaxLength(100);
    });
}

/// <summary>
/// Records a disclosure before it happens: refused without a basis. A legal order notifies the client first, in the
/// same unit of work, unless the law forbids it and the reason is recorded (G-05).
/// </summary>
public sealed class RecordDisclosure(StewardDb db, ControllerMail mail, AuditLog audit, AuditContext actor, TimeProvider clock)
{
    public const string NoticeKind = "disclosure-notice";

    public sealed record Request(string? Recipient, string? Basis, string? Reference, string? DataDescription, bool? ClientPreNotified, string? NoNoticeReason);
    public sealed record View(Guid Id, string Recipient, string Basis, string? Reference, string DataDescription, bool? ClientPreNotified, DateTimeOffset DisclosedAt)
    {
        public static View Of(Disclosure d) => new(d.Id, d.Recipient, d.Basis, d.Reference, d.DataDescription, d.ClientPreNotified, d.DisclosedAt);
    }

    public async Task<Result<View>> HandleAsync(Guid clientId, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (string.IsNullOrWhiteSpace(request.Recipient) || request.Recipient.Length > 200) problems.Add("recipient", "Name the receiving organisation (at most 200 characters).");
        if (request.Basis is null || !Disclosure.Bases.Contains(request.Basis))
            problems.Add("basis", $"No disclosure without a basis: {string.Join(", ", Disclosure.Bases)}.");
        if (string.IsNullOrWhiteSpace(request.DataDescription) || request.DataDescription.Length > 2000) problems.Add("dataDescription", "Say which data (at most 2000 characters).");
        if (request.Reference is { Length: > 500 }) problems.Add("reference", "At most 500 characters.");
        if (request.Basis is Disclosure.ClientPermission or Disclosure.LegalObligation && string.IsNullOrWhiteSpace(request.Reference))
            problems.Add("reference", request.Basis == Disclosure.ClientPermission ? "Name the client's written permission." : "Name the legal order.");
        if (request.Basis == Disclosure.LegalObligation)
        {
            if (request.ClientPreNotified is null) problems.Add("clientPreNotified", "Say whether the client is told before the disclosure (G-05).");
            else if (request.ClientPreNotified == false && (string.IsNullOrWhiteSpace(request.NoNoticeReason) || request.NoNoticeReason.Length > 2000))
                problems.Add("noNoticeReason", "Give the legal reason the client may not be told (at most 2000 characters).");
        }
        if (problems.Any) return Errors.Invalid(problems);

        await using var write = await db.BeginWriteAsync(ct);
        if (!await db.Clients.AnyAsync(c => c.Id == clientId, ct)) return Errors.NotFound("client");
        var disclosure = new Disclosure
        {
            Id = Guid.CreateVersion7(),
            ClientId = clientId,
            Recipient = request.Recipient!.Trim(),
            Basis = request.Basis!,
            Reference = request.Reference?.Trim(),
            DataDescription = request.DataDescription!.Trim(),
            ClientPreNotified = request.Basis == Disclosure.LegalObligation ? request.ClientPreNotified : null,
            NoNoticeReason = request.ClientPreNotified == false ? request.NoNoticeReason!.Trim() : null,
            DisclosedAt = clock.GetUtcNow(),
            RecordedBy = actor.ActorId ?? actor.ActorType,
        };
        db.Add(disclosure);
        if (disclosure.Basis == Disclosure.LegalObligation && disclosure.ClientPreNotified == true)
            await mail.SendAsync(db, clientId, NoticeKind, $"A legal order requires disclosure of your data to {disclosure.Recipient}",
                $"The processor must disclose personal data it processes for you to {disclosure.Recipient} under {disclosure.Reference}.\n\nData: {disclosure.DataDescription}\n\nWe tell you before disclosing, as the DPA requires.", ct);
        await audit.RecordAsync(db, "RecordDisclosure", "disclosure", disclosure.Id.ToString(), ct, clientId, status: 201);
        await write.CommitAsync(ct);
        return View.Of(disclosure);
    }
}

public static class DisclosureEndpoints
{
    public static RouteGroupBuilder MapClientDisclosures(this RouteGroupBuilder client)
    {
        // a disclosure the law forbids telling the client about stays out of its view
        client.MapGet("/disclosures", async (StewardDb db, CancellationToken ct) =>
                TypedResults.Ok((await db.Set<Disclosure>().AsNoTracking().Where(d => d.ClientPreNotified != false).OrderBy(d => d.DisclosedAt).ToListAsync(ct))
                    .Select(RecordDisclosure.View.Of)))
            .WithTags("Agreements").WithName("ClientDisclosures").WithSummary("Disclosures of the client's data to third parties, each with its basis (P-44)");
        return client;
    }

    public static RouteGroupBuilder MapProcessorDisclosures(this RouteGroupBuilder processor)
    {
        processor.MapPost("/clients/{clientId:guid}/disclosures", async (Guid clientId, RecordDisclosure.Request request, RecordDisclosure record, CancellationToken ct) =>
                (await record.HandleAsync(clientId, request, ct)).ToHttp(d => TypedResults.Created($"/v1/clients/{clientId}/disclosures", d)))
            .WithTags("Agreements").WithName("RecordDisclosure").WithSummary("Record a disclosure to a third party with its basis; refused without one (P-44, G-05)");
        return processor;
    }
}
