using Steward.Access;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Clients;
using Steward.Data;
using Steward.Http;

namespace Steward.SubProcessors;

public static class SubProcessorEndpoints
{
    public sealed record InstructionInput(string? Country, string? Mechanism);

    /// <summary>The public list (G-49) and the one-time links of manual erasure tasks.</summary>
    public static RouteGroupBuilder MapPublicSubProcessors(this RouteGroupBuilder v1)
    {
        v1.MapGet("/subprocessors", async (Register register, CancellationToken ct) => TypedResults.Ok(await register.PublicListAsync(ct)))
            .AllowAnonymous().WithTags("Sub-processors").WithName("ListSubProcessors").WithSummary("The public sub-processor list, from the register");
        var open = v1.MapGroup("/erasure-confirmations").AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithTags("Sub-processors");
        open.MapGet("/{token}", (string token) => Results.Content(Page("Confirm erasure",
                $"<p>Confirm that you have permanently deleted the data subject named in our request.</p><form method=\"post\" action=\"{WebUtility.HtmlEncode(token)}\"><button>Confirm erasure</button></form>"),
                "text/html; charset=utf-8"))
            .WithName("ErasureConfirmationPage").WithSummary("The page behind a manual erasure task's link: one button");
        open.MapPost("/{token}", async (string token, DeliverErasures erasures, CancellationToken ct) =>
                (await erasures.ConfirmAsync(token, ct)).ToHttp(m => TypedResults.Ok(new { message = m })))
            .DisableAntiforgery().WithName("ConfirmErasure").WithSummary("A vendor confirms a manual erasure task (works once)");
        return v1;
    }

    /// <summary>What a client sees and does: where its data lives, the changes announced to it, objections, transfer instructions, erasure receipts.</summary>
    public static RouteGroupBuilder MapClientSubProcessors(this RouteGroupBuilder client)
    {
        var tags = "Sub-processors";
        client.MapGet("/data-locations", async (Guid clientId, DataLocations locations, CancellationToken ct) => TypedResults.Ok(await locations.HandleAsync(clientId, ct)))
            .WithTags(tags).WithName("GetDataLocations").WithSummary("Where this client's data lives: database, backups, each sub-processor with its countries and transfer basis");
        client.MapPost("/transfers/check", async (Guid clientId, DataLocations.TransferCheck input, DataLocations locations, CancellationToken ct) =>
                (await locations.CheckTransferAsync(clientId, input, ct)).ToHttp(d => TypedResults.Ok(d)))
            .WithTags(tags).WithName("CheckTransfer")
            .WithSummary("Ask the transfer gate before this client's personal data goes to a sub-processor; a blocked flow is logged (G-17, P-35)");
        client.MapGet("/subprocessor-agreements", async (Guid clientId, Register register, CancellationToken ct) => TypedResults.Ok(await register.AgreementsAsync(clientId, ct)))
            .WithTags(tags).WithName("GetSubProcessorAgreements")
            .WithSummary("The sub-processor agreements on file (DPA, equivalent terms, certifications, transfer basis, yearly review) and each sub-processor's direct contact (G-15, G-16, G-20)");
        client.MapGet("/subprocessor-changes", async (Guid clientId, Changes changes, CancellationToken ct) => TypedResults.Ok(await changes.ForClientAsync(clientId, ct)))
            .WithTags(tags).WithName("ListClientSubProcessorChanges").WithSummary("Changes announced to this client, when it received each notice, until when it may object");
        client.MapPost("/subprocessor-changes/{changeId:guid}/objections", async (Guid clientId, Guid changeId, Changes.ObjectionRequest request, Changes changes, CancellationToken ct) =>
                (await changes.ObjectAsync(clientId, changeId, request, ct)).ToHttp(o => TypedResults.Created($"/v1/clients/{clientId}/subprocessor-changes/{changeId}", o)))
            .WithTags(tags).WithName("ObjectToSubProcessorChange").WithSummary("Object to a change, with reasons, within the objection window");
        client.MapPut("/transfer-instructions", async (Guid clientId, List<InstructionInput> input, StewardDb db, AuditLog audit, TimeProvider clock, CancellationToken ct) =>
            {
                var problems = new Problems();
                for (var i = 0; i < input.Count; i++)
                {
                    if (input[i].Country is not { Length: 2 } c || !c.All(char.IsAsciiLetterUpper)) problems.Add($"[{i}].country", "An ISO 3166 two-letter code in capitals.");
                    if (input[i].Mechanism is not ("dpf" or "sccs")) problems.Add($"[{i}].mechanism", "dpf (EU-US Data Privacy Framework) or sccs (standard contractual clauses).");
                }
                if (problems.Any) return Errors.Invalid(problems).ToProblem();
                await using var write = await db.BeginWriteAsync(ct);
                await db.TransferInstructions.ExecuteDeleteAsync(ct);
                var now = clock.GetUtcNow();
                foreach (var i in input.DistinctBy(i => (i.Country, i.Mechanism)))
                    db.TransferInstructions.Add(new TransferInstruction { ClientId = clientId, Country = i.Country!, Mechanism = i.Mechanism!, RecordedAt = now });
                await audit.RecordAsync(db, "SetTransferInstructions", "client", clientId.ToString(), ct);
                await write.CommitAsync(ct);
                return TypedResults.Ok(input);
            })
            .WithTags(tags).WithName("SetTransferInstructions").WithSummary("The client's documented instructions allowing third-country transfers (G-17)");
        client.MapGet("/erasures/{contactId:guid}", async (Guid contactId, EraseAtSubProcessors erasures, CancellationToken ct) =>
                (await erasures.ProgressAsync(contactId, ct)).ToHttp(TypedResults.Ok))
            .WithTags(tags).WithName("GetErasureReceipts").WithSummary("A contact's erasure at each sub-processor: a receipt per vendor; complete when all are in");
        return client;
    }

    /// <summary>Processor staff: the register, changes, objections. Protected by the admin key until staff roles land (issue 4).</summary>
    public static RouteGroupBuilder MapAdminSubProcessors(this RouteGroupBuilder v1)
    {
        var admin = v1.MapGroup("/admin").RequireAuthorization(Permissions.Compliance).WithTags("Sub-processors (processor staff)");
        admin.MapGet("/subprocessors", async (Register register, CancellationToken ct) => TypedResults.Ok(await register.AdminListAsync(ct)))
            .WithName("AdminListSubProcessors").WithSummary("The register with its evidence");
        admin.MapPost("/subprocessors", async (Changes.Proposal proposal, Changes changes, CancellationToken ct) =>
                (await changes.ProposeAsync(proposal, ct)).ToHttp(c => TypedResults.Created($"/v1/admin/subprocessor-changes/{c.Id}", c)))
            .WithName("ProposeSubProcessor").WithSummary("Propose adding (or replacing with) a sub-processor: every client is notified");
        admin.MapPut("/subprocessors/{id:guid}/evidence", async (Guid id, Register.Evidence evidence, Register register, CancellationToken ct) =>
                (await register.RecordEvidenceAsync(id, evidence, ct)).ToHttp(TypedResults.Ok))
            .WithName("RecordSubProcessorEvidence").WithSummary("Record DPA, equivalent terms, due diligence, review, transfer basis and connector");
        admin.MapGet("/subprocessor-changes", async (Changes changes, CancellationToken ct) => TypedResults.Ok(await changes.ListAsync(ct)))
            .WithName("ListSubProcessorChanges").WithSummary("Every change with its notices and objections (the DPO's view)");
        admin.MapPost("/subprocessor-changes/{id:guid}/activate", async (Guid id, Changes changes, CancellationToken ct) =>
                (await changes.ActivateAsync(id, ct)).ToHttp(TypedResults.Ok))
            .WithName("ActivateSubProcessorChange").WithSummary("Put a change into effect, once its notice period has run");
        admin.MapPost("/objections/{id:guid}/answer", async (Guid id, Changes.Answer answer, Changes changes, CancellationToken ct) =>
                (await changes.AnswerAsync(id, answer, ct)).ToHttp(TypedResults.Ok))
            .WithName("AnswerObjection").WithSummary("Answer a client's objection: alternative, terminated or withdrawn");
        return v1;
    }

    private static string Page(string title, string body) =>
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>";
}
