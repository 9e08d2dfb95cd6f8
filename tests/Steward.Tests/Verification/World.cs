using Microsoft.EntityFrameworkCore;
using System.Net;
using System.Net.Http.Json;
using Steward.Access;
using Steward.Tests.Consents;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Verification;

/// <summary>One client's objects, each a real row the routes can be pointed at.</summary>
public sealed record Party(StewardApp.Tenant Tenant, Guid ContactId, Guid WidgetId, Guid RequestId, Guid PublicRequestId, Guid InspectionId,
    Guid BreachId, string OpenDsrId, string[] Secrets, Guid UserId, Guid KeyId, Guid DestructionId)
{
    public Guid ClientId => Tenant.ClientId;
}

/// <summary>
/// Two clients, A and B, with data in every kind of object the routes reach, and processor staff: the CEO and
/// the DPO, and people whose role lacks data rights. B's personal values and secrets are what no refused call may
/// show (<see cref="Party.Secrets"/>).
/// </summary>
public sealed class World
{
    public required StewardApp App { get; init; }
    public required Party A { get; init; }
    public required Party B { get; init; }
    public required StaffUser Ceo { get; init; }
    public required StaffUser Dpo { get; init; }
    /// <summary>Staff whose roles hold no data right at all (Development) or read only (Customer Success).</summary>
    public required StaffUser Developer { get; init; }
    public required StaffUser Support { get; init; }
    /// <summary>A product manager with an approved grant of every right of the role, for client A only.</summary>
    public required StaffUser GrantedForA { get; init; }
    public required Guid OtherStaffSession { get; init; }

    public static Task<StewardApp> StartAppAsync(Engine engine) => Breaches.Compliance.StartAsync(engine, s =>
    {
        s["Steward:Access:PasswordIterations"] = "1000"; // sign-ins here test access, not the hash's cost
        s["Steward:OpenDsr:ProcessorDomain"] = "steward.test";
    });

    public static async Task<World> BuildAsync(StewardApp app)
    {
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var developer = await app.AddStaffAsync(ceo, Roles.Development);
        var support = await app.AddStaffAsync(ceo, Roles.CustomerSuccess);
        var pm = await app.AddStaffAsync(ceo, Roles.ProductManagement);
        var a = await PartyAsync(app, dpo, "alba");
        var b = await PartyAsync(app, dpo, "bruno");
        var rights = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<RoleMatrix>(app.Services).DataRights(pm.Role).ToArray();
        await (ceo, dpo).GrantAsync(pm, a.ClientId, rights, app.Clock.GetUtcNow().AddDays(30));
        app.Clock.Advance(TimeSpan.FromSeconds(30)); // a second session needs the next TOTP step: a code is accepted once
        var other = await app.SignInAgainAsync(support);
        var session = (await (await other.Http.GetAsync("/v1/staff/me/sessions")).JsonAsync()).EnumerateArray().First().GetProperty("id").GetGuid();
        return new World { App = app, A = a, B = b, Ceo = ceo, Dpo = dpo, Developer = developer, Support = support, GrantedForA = pm, OtherStaffSession = session };
    }

    private static async Task<Party> PartyAsync(StewardApp app, StaffUser dpo, string name)
    {
        var unique = Guid.NewGuid().ToString("N")[..10];
        var email = $"{name}.{unique}@{name}-tenant.example";
        var first = $"{char.ToUpperInvariant(name[0])}{name[1..]}{unique}";
        var phone = $"+45 9{unique.Where(char.IsDigit).Take(7).Aggregate("", (s, c) => s + c).PadRight(7, '1')}";
        var tenant = await app.SignUpAsync($"Client {name} {unique}");
        var contact = (await tenant.CreateContactAsync(new Dictionary<string, object?>
        {
            ["email"] = email,
            ["firstName"] = first,
            ["lastName"] = "Lastname" + unique,
            ["phone"] = phone,
            ["company"] = "Company" + unique,
        })).GetProperty("id").GetGuid();
        var widget = await ConsentTests.DefineNewsletterAsync(tenant);
        var request = (await Requests.RequestTests.CreateRequestAsync(tenant, new { type = "access", emails = new[] { email } })).GetProperty("id").GetGuid();
        var publicRequest = await Requests.PublicRequestTests.SubmitAsync(app, tenant, "access", email);
        var inspection = await tenant.Http.PostAsJsonAsync(tenant.Base + "/inspections", new
        {
            kind = "routine",
            auditorFirm = "Audit " + unique,
            ndaReference = "NDA-" + unique,
            from = app.Clock.GetUtcNow().AddDays(-30),
            to = app.Clock.GetUtcNow(),
        });
        Assert.Equal(HttpStatusCode.Created, inspection.StatusCode);
        var breach = await dpo.Http.PostAsJsonAsync("/v1/processor/breaches",
            new { detectedAt = app.Clock.GetUtcNow(), nature = "Lost laptop " + unique, clientIds = new[] { tenant.ClientId } });
        Assert.Equal(HttpStatusCode.Created, breach.StatusCode);
        var openDsr = Guid.NewGuid().ToString();
        var submitted = await tenant.Http.PostAsync("/v2/requests", new StringContent($$"""
            {"regulation":"gdpr","subject_request_id":"{{openDsr}}","subject_request_type":"access","submitted_time":"2026-11-01T10:00:00Z",
             "subject_identities":[{"identity_type":"email","identity_value":"{{email}}","identity_format":"raw"}],"status_callback_urls":[]}
            """, System.Text.Encoding.UTF8, "application/json"));
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        // awaiting its second approval, so nothing is destroyed: the client's report routes have an object to name
        var destruction = await dpo.Http.PostAsJsonAsync("/v1/destructions", new { clientId = tenant.ClientId, contactIds = new[] { contact }, reason = "Retention ended" });
        Assert.Equal(HttpStatusCode.Created, destruction.StatusCode);
        return new Party(tenant, contact, widget, request, publicRequest, (await inspection.JsonAsync()).GetProperty("id").GetGuid(),
            (await breach.JsonAsync()).GetProperty("id").GetGuid(), openDsr,
            [email, first, "Lastname" + unique, phone, "Company" + unique, tenant.ApiKey, $"Client {name} {unique}", "Audit " + unique, "Lost laptop " + unique],
            // the owner made at sign-up and its key: the team's own rows
            await app.WithDbAsync((db, _) => db.ClientUsers.Select(u => u.Id).FirstAsync(), tenant.ClientId),
            await app.WithDbAsync((db, _) => db.ApiKeys.Select(k => k.Id).FirstAsync(), tenant.ClientId),
            (await destruction.JsonAsync()).GetProperty("id").GetGuid());
    }
}
