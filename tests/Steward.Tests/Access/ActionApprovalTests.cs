using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Steward.Access;
using Steward.Tests.Infrastructure;
using Steward.Tests.Team;

namespace Steward.Tests.Access;

public sealed class ActionApprovalTests
{
    private static HttpRequestMessage Rectify(StewardApp.Tenant tenant, Guid contactId, Guid? approval)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"{tenant.Base}/contacts/{contactId}") { Content = JsonContent.Create(new { firstName = "Corrected" }) };
        if (approval is not null) request.Headers.Add(StaffClientAccess.ApprovalHeader, approval.ToString());
        return request.WithReason("ticket T-7");
    }

    private static HttpRequestMessage Erase(StewardApp.Tenant tenant, Guid contactId, Guid? approval)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{tenant.Base}/contacts/{contactId}/erase");
        if (approval is not null) request.Headers.Add(StaffClientAccess.ApprovalHeader, approval.ToString());
        return request.WithReason("ticket T-7");
    }

    /// <summary>
    /// P-14: system administration modifies or removes personal data only with a DPO's approval of that very action:
    /// refused without it; the approval works for its person, client, route and target only, once, and not after it expires.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task P14_a_system_administrator_modifies_or_removes_personal_data_only_with_a_dpo_approval_of_that_action_used_once(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var governance = await app.SetUpGovernanceAsync();
        var (ceo, dpo) = governance;
        var tenant = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var admin = await app.AddStaffAsync(ceo, Roles.SystemAdministration);
        var colleague = await app.AddStaffAsync(ceo, Roles.SystemAdministration);
        await governance.GrantAsync(admin, null, ["modify", "remove"]);
        await governance.GrantAsync(colleague, null, ["modify", "remove"]);
        var jane = (await tenant.CreateContactAsync(new { email = "jane@example.com", firstName = "Jane" })).GetProperty("id").GetGuid();
        var john = (await tenant.CreateContactAsync(new { email = "john@example.com", firstName = "John" })).GetProperty("id").GetGuid();

        async Task<Guid> ApproveAsync(StaffUser by, StaffUser staff, StewardApp.Tenant client, string action, Guid? target)
        {
            var approved = await by.Http.PostAsJsonAsync("/v1/action-approvals", new { staffId = staff.Id, clientId = client.ClientId, action, target, purpose = "Ticket T-7: a wrong name" });
            approved.StatusCode.Is(HttpStatusCode.Created);
            return (await approved.JsonAsync()).GetProperty("id").GetGuid();
        }

        // without an approval: refused, and nothing changed
        await (await admin.Http.SendAsync(Rectify(tenant, jane, null))).AssertProblemAsync(403);
        await (await admin.Http.SendAsync(Erase(tenant, jane, null))).AssertProblemAsync(403);
        await (await admin.Http.SendAsync(Rectify(tenant, jane, Guid.NewGuid()))).AssertProblemAsync(403);

        // only the DPO approves, never for themselves, and only a real modifying or removing route
        await (await ceo.Http.PostAsJsonAsync("/v1/action-approvals", new { staffId = admin.Id, clientId = tenant.ClientId, action = "RectifyContact", target = jane, purpose = "x" }))
            .AssertProblemAsync(403);
        await (await dpo.Http.PostAsJsonAsync("/v1/action-approvals", new { staffId = admin.Id, clientId = tenant.ClientId, action = "ListContacts", purpose = "x" }))
            .AssertProblemAsync(400);
        await (await dpo.Http.PostAsJsonAsync("/v1/action-approvals", new { staffId = admin.Id, clientId = tenant.ClientId, purpose = "x" })).AssertProblemAsync(400);

        // bound to its person, client, action and target: every other use is refused and leaves it unused
        var approval = await ApproveAsync(dpo, admin, tenant, "RectifyContact", jane);
        await (await colleague.Http.SendAsync(Rectify(tenant, jane, approval))).AssertProblemAsync(403);
        await (await admin.Http.SendAsync(Rectify(other, jane, approval))).AssertProblemAsync(403);
        await (await admin.Http.SendAsync(Rectify(tenant, john, approval))).AssertProblemAsync(403);
        await (await admin.Http.SendAsync(Erase(tenant, jane, approval))).AssertProblemAsync(403);
        Assert.Equal("Jane", (await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{jane}")).JsonAsync()).GetProperty("firstName").GetString());

        // with it: the action goes through, recorded with the approval; once only
        (await admin.Http.SendAsync(Rectify(tenant, jane, approval))).StatusCode.Is(HttpStatusCode.OK);
        Assert.Equal("Corrected", (await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{jane}")).JsonAsync()).GetProperty("firstName").GetString());
        await (await admin.Http.SendAsync(Rectify(tenant, jane, approval))).AssertProblemAsync(403);
        var events = await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "RectifyContact" && e.ActorId == admin.Id.ToString()).ToListAsync());
        Assert.True(events.Any(e => e.Outcome == "success" && e.Reason!.Contains($"dpo-approval {approval}", StringComparison.Ordinal)),
            string.Join("\n", events.Select(e => $"{e.Outcome} {e.Status} {e.Reason}")));

        // removal the same way; an approval not used in time expires
        var erase = await ApproveAsync(dpo, admin, tenant, "EraseContact", john);
        (await admin.Http.SendAsync(Erase(tenant, john, erase))).StatusCode.Is(HttpStatusCode.OK);
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{john}")).AssertProblemAsync(404);
        var late = await ApproveAsync(dpo, admin, tenant, "EraseContact", jane);
        app.Clock.Advance(TimeSpan.FromHours(25));
        var signedIn = await app.SignInAgainAsync(admin);
        await (await signedIn.Http.SendAsync(Erase(tenant, jane, late))).AssertProblemAsync(403);
        (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{jane}")).StatusCode.Is(HttpStatusCode.OK);
    }
}
