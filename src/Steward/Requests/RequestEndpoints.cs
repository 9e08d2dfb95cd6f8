using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Steward.Clients;
using Steward.Contacts;
using Steward.Http;

namespace Steward.Requests;

public static class RequestEndpoints
{
    public static RouteGroupBuilder MapRequests(this RouteGroupBuilder client)
    {
        var requests = client.MapGroup("/requests").WithTags("Requests");
        requests.MapPost("/", async (Guid clientId, CreateRequest.Request request, CreateRequest create, CancellationToken ct) =>
                (await create.HandleAsync(clientId, request, ct)).ToHttp(r => TypedResults.Created($"/v1/clients/{clientId}/requests/{r.Id}", r)))
            .WithName("CreateSubjectRequest").WithSummary("Record a data subject request, or ask processor staff to carry one out on a written instruction");
        requests.MapGet("/", async (Guid clientId, string? state, int? limit, ReadRequests read, CancellationToken ct) =>
                (await read.ListAsync(clientId, state, limit, ct)).ToHttp(TypedResults.Ok))
            .WithName("ListSubjectRequests").WithSummary("The client's requests: open ones first, the earliest deadline first (overdue, then due-soon)");
        requests.MapGet("/{requestId:guid}", async (Guid clientId, Guid requestId, ReadRequests read, CancellationToken ct) =>
                (await read.OneAsync(clientId, requestId, ct)).ToHttp(TypedResults.Ok))
            .WithName("GetSubjectRequest").WithSummary("One request with its deadline and the history of its steps");
        requests.MapPost("/{requestId:guid}/status", async (Guid clientId, Guid requestId, ChangeRequestStatus.Request request, ChangeRequestStatus change, CancellationToken ct) =>
                (await change.HandleAsync(clientId, requestId, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("ChangeSubjectRequestStatus").WithSummary("Move a request on: verified, in_progress, completed, declined (with a reason) or cancelled");
        requests.MapPost("/{requestId:guid}/extension", async (Guid clientId, Guid requestId, ExtendRequest.Request request, ExtendRequest extend, CancellationToken ct) =>
                (await extend.HandleAsync(clientId, requestId, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("ExtendSubjectRequest").WithSummary("Extend the deadline once, by up to two months, with a reason sent to the subject");
        requests.MapPost("/{requestId:guid}/fulfilment", async (Guid clientId, Guid requestId, FulfilRequest.Request request, FulfilRequest fulfil, CancellationToken ct) =>
                (await fulfil.HandleAsync(clientId, requestId, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("FulfilSubjectRequest").WithSummary("Carry out a verified request: an access or portability package (JSON or CSV), or an erasure with its certificate");
        requests.MapGet("/settings", async (ChangeRequestSettings settings, CancellationToken ct) => TypedResults.Ok(await settings.GetAsync(ct)))
            .WithName("GetRequestSettings").WithSummary("Who answers the client's data subjects (forward or direct) and the free staff-assisted requests a month");
        requests.MapPut("/settings", async (Guid clientId, ChangeRequestSettings.Request request, ChangeRequestSettings settings, CancellationToken ct) =>
                (await settings.HandleAsync(clientId, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("ChangeRequestSettings").WithSummary("Change who answers the client's data subjects, or the billable threshold");

        client.MapGet("/subjects", async (Guid clientId, string? email, string? phone, Guid? contactId,
                [FromHeader(Name = RestrictedReads.Header)] string? reason, SearchSubjects search, CancellationToken ct) =>
                (await search.HandleAsync(clientId, email, phone, contactId, reason, ct)).ToHttp(TypedResults.Ok))
            .WithTags("Requests").WithName("SearchSubjects")
            .WithSummary("Find one data subject by email, phone or contact id, and see everything held about it in one response (P-02)");

        var restriction = client.MapGroup("/contacts/{contactId:guid}/restriction").WithTags("Requests");
        restriction.MapPost("/lift-notice", async (Guid clientId, Guid contactId, LiftRestriction.Request request, LiftRestriction lift, CancellationToken ct) =>
                (await lift.NoticeAsync(clientId, contactId, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("NoticeRestrictionLift").WithSummary("Tell the subject that the restriction of processing will be lifted (Art. 18(3)); the lift is possible after the notice period");
        restriction.MapDelete("/", async (Guid clientId, Guid contactId, LiftRestriction lift, CancellationToken ct) =>
                (await lift.LiftAsync(clientId, contactId, ct)).ToHttp(TypedResults.Ok))
            .WithName("LiftRestriction").WithSummary("Lift a restriction of processing, once the subject was told and the notice period passed");
        return client;
    }

    /// <summary>What a data subject reaches with no login: ask for a right, confirm each address. Rate-limited.</summary>
    public static RouteGroupBuilder MapPublicRequests(this RouteGroupBuilder v1)
    {
        var open = v1.MapGroup("/public/requests").AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithTags("Public");
        open.MapPost("/", async (SubmitPublicRequest.Request request, SubmitPublicRequest submit, CancellationToken ct) =>
                (await submit.HandleAsync(request, ct)).ToHttp(r => TypedResults.Accepted((string?)null, r)))
            .WithName("SubmitSubjectRequest").WithSummary("Ask a client (by its public id) for access, portability, rectification, erasure, restriction or objection");
        open.MapPost("/{requestId:guid}/verification", async (Guid requestId, VerifyPublicRequest.Request request, VerifyPublicRequest verify, CancellationToken ct) =>
                (await verify.HandleAsync(requestId, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("VerifySubjectRequest").WithSummary("Confirm one email address of a request with the code sent to it");
        v1.MapGet("/public/exports/{token}", async (string token, DownloadPackage download, CancellationToken ct) =>
                (await download.HandleAsync(token, ct)).ToHttp(f => TypedResults.File(f.Content, f.ContentType, f.Name)))
            .AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithTags("Public")
            .WithName("DownloadSubjectPackage").WithSummary("Download an access package once, through its signed link");
        return v1;
    }
}
