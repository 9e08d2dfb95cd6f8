using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Steward.Access;
using Steward.Clients;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Access;

public sealed partial class RoleMatrixTests
{
    /// <summary>
    /// P-14: every role (and the lead PM) against every protected route. Staff routes: allowed exactly where the
    /// matrix gives the route's permission. A client's routes: each role holds an approved grant of every data right
    /// its role allows, and is let in exactly where the matrix gives the right the route uses without a DPO approval.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task P14_every_cell_of_the_role_matrix_holds_on_every_protected_route(Engine engine)
    {
        // a route's own business refusals must not read as the matrix's: the processor's statistics are allowed here
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:Instructions:OwnStatisticsAllowed"] = "true");
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var ceo2 = await app.AddStaffAsync(ceo, Roles.Ceo);
        var dpo2 = await app.AddStaffAsync(ceo, Roles.Dpo);
        foreach (var person in new[] { ceo, dpo })
            Assert.Equal(HttpStatusCode.OK, (await ceo2.Http.PostAsync($"/v1/staff/{person.Id}/onboarding",
                JsonContent("""{"training":true,"confidentiality":true,"dpaDuties":true,"guidelines":true}"""))).StatusCode);
        var tenant = await app.SignUpAsync();
        var matrix = app.Services.GetRequiredService<RoleMatrix>();

        var people = new List<(StaffUser User, bool LeadPm)> { (ceo, false), (dpo, false) };
        foreach (var role in new[] { Roles.ProductManagement, Roles.CustomerSuccess, Roles.Development, Roles.SystemAdministration, Roles.Auditor })
            people.Add((await app.AddStaffAsync(ceo, role), false));
        people.Add((await app.AddStaffAsync(ceo, Roles.ProductManagement, leadPm: true), true));
        foreach (var (user, _) in people)
        {
            var rights = matrix.DataRights(user.Role).ToArray();
            if (rights.Length == 0) continue;
            // nobody approves their own grant: the CEO's is approved by the second CEO, the DPO's by the second DPO
            var approvers = user.Id == ceo.Id ? (ceo2, dpo) : user.Id == dpo.Id ? (ceo, dpo2) : (ceo, dpo);
            await approvers.GrantAsync(user, tenant.ClientId, rights, expiresAt: app.Clock.GetUtcNow().AddDays(30));
        }

        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Method: e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is [var first, ..] ? first : null,
                Policy: e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null)))
            // routes for staff: the client's (through a grant) and the matrix's permissions; OpenDSR is for a client's systems only
            .Where(r => r.Method is not null && (r.Policy == Policies.ClientApi || Permissions.All.Contains(r.Policy))
                && r.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .ToList();
        Assert.Contains(routes, r => r.Policy == Policies.ClientApi);
        Assert.Contains(routes, r => r.Policy == Permissions.ApproveGrant);

        var cells = 0;
        var wrong = new List<string>();
        foreach (var (user, leadPm) in people)
            foreach (var (endpoint, method, policy) in routes)
            {
                var url = RouteParameter().Replace(endpoint.RoutePattern.RawText!, m => m.Groups[1].Value switch
                {
                    "clientId" => tenant.ClientId.ToString(),
                    "kind" => "processor", // the records of processing: {kind:regex(^(processor|controller)$)}
                    "version" => "1",
                    _ => Guid.NewGuid().ToString(),
                });
                var request = new HttpRequestMessage(new HttpMethod(method!), url).WithReason();
                if (method is "POST" or "PUT" or "PATCH") request.Content = JsonContent("{}");
                var status = (int)(await user.Http.SendAsync(request)).StatusCode;
                bool allowed;
                if (policy == Policies.ClientApi)
                {
                    var right = StaffClientAccess.RightFor(endpoint, method!);
                    allowed = matrix.Has(user.Role, leadPm, Permissions.ForRight(right)) && !matrix.NeedsDpoApproval(user.Role, right);
                }
                else
                {
                    allowed = matrix.Has(user.Role, leadPm, policy!);
                }
                cells++;
                var ok = allowed ? status is not (401 or 403) and < 500 : status == 403;
                if (!ok) wrong.Add($"{user.Role}{(leadPm ? " (lead)" : "")} {method} {endpoint.RoutePattern.RawText}: {status}, expected {(allowed ? "allowed" : "403")}");
            }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.True(cells >= 8 * 20, $"only {cells} cells walked");
    }

    private static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");

    [GeneratedRegex(@"\{(\w+)(:[^}]*)?\}")]
    private static partial Regex RouteParameter();
}
