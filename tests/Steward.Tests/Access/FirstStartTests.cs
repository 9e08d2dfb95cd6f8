using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Steward.Access;
using Steward.Tests.Infrastructure;
using Steward.Tests.Team;

namespace Steward.Tests.Access;

public sealed partial class FirstStartTests
{
    /// <summary>
    /// README's "First start" section, step by step, from the link the start printed: set up, each person accepts
    /// their own invitation link, scans the totpUri, signs in with a code (never without one), and the two then run
    /// the deployment: the CEO adds a person and a grant takes effect once both approve it.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task P16_ASVS_V2_a_new_deployment_reaches_a_working_ceo_and_dpo_with_two_factor_as_readme_describes(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var printed = Assert.Single(app.Logs.Select(l => SetupLink().Match(l)), m => m.Success).Groups[1].Value;
        var http = app.Anonymous();

        var setup = await http.PostAsJsonAsync(printed, new
        {
            ceo = new { name = "Cathy CEO", email = "ceo@processor.example" },
            dpo = new { name = "Dan DPO", email = "dpo@processor.example" },
        });
        setup.StatusCode.Is(HttpStatusCode.Created);
        var invited = (await setup.JsonAsync()).GetProperty("invited").EnumerateArray().ToList();
        Assert.Equal([Roles.Ceo, Roles.Dpo], invited.Select(i => i.GetProperty("role").GetString()).Order());
        Assert.Equal(2, (await app.ReadAsync("staff-invitation")).Count); // also mailed
        await (await http.PostAsJsonAsync(printed, new { ceo = new { name = "X", email = "x@processor.example" }, dpo = new { name = "Y", email = "y@processor.example" } }))
            .AssertProblemAsync(404); // once

        var people = new Dictionary<string, HttpClient>();
        foreach (var person in invited)
        {
            var role = person.GetProperty("role").GetString()!;
            var email = role == Roles.Ceo ? "ceo@processor.example" : "dpo@processor.example";
            var link = new Uri(person.GetProperty("invitationLink").GetString()!);
            var accepted = await http.PostAsJsonAsync(link.PathAndQuery, new { password = "a long passphrase of your own" });
            accepted.StatusCode.Is(HttpStatusCode.OK);
            var body = await accepted.JsonAsync();
            Assert.Equal(10, body.GetProperty("recoveryCodes").GetArrayLength());
            var uri = new Uri(body.GetProperty("totpUri").GetString()!);
            Assert.Equal("otpauth", uri.Scheme);
            var secret = OtpNet.Base32Encoding.ToBytes(SecretParameter().Match(uri.Query).Groups[1].Value);

            // two-factor is mandatory for these roles: the password alone is refused
            await (await http.PostAsJsonAsync("/v1/staff/sessions", new { email, password = "a long passphrase of your own" })).AssertProblemAsync(401);
            var session = await http.PostAsJsonAsync("/v1/staff/sessions",
                new { email, password = "a long passphrase of your own", code = StaffExtensions.Totp(secret, app.Clock.GetUtcNow()) });
            session.StatusCode.Is(HttpStatusCode.Created);
            var signedIn = app.Anonymous();
            signedIn.DefaultRequestHeaders.Authorization = new("Bearer", (await session.JsonAsync()).GetProperty("token").GetString());
            people[role] = signedIn;
        }

        // working: the CEO adds a person and records their onboarding; a grant takes effect once the CEO and the DPO approve it
        var ceo = people[Roles.Ceo];
        var added = await ceo.PostAsJsonAsync("/v1/staff", new { name = "Sam Support", email = "support@processor.example", role = Roles.CustomerSuccess });
        added.StatusCode.Is(HttpStatusCode.Created);
        var staffId = (await added.JsonAsync()).GetProperty("id").GetGuid();
        (await ceo.PostAsJsonAsync($"/v1/staff/{staffId}/onboarding", new { training = true, confidentiality = true, dpaDuties = true, guidelines = true })).StatusCode.Is(HttpStatusCode.OK);
        var requested = await ceo.PostAsJsonAsync("/v1/access-grants", new { staffId, clientId = (Guid?)null, rights = new[] { "read" }, purpose = "Support rota" });
        requested.StatusCode.Is(HttpStatusCode.Created);
        var grant = (await requested.JsonAsync()).GetProperty("id").GetGuid();
        (await ceo.PostAsync($"/v1/access-grants/{grant}/approve", null)).StatusCode.Is(HttpStatusCode.OK);
        var approved = await people[Roles.Dpo].PostAsync($"/v1/access-grants/{grant}/approve", null);
        Assert.Equal("active", (await approved.JsonAsync()).GetProperty("status").GetString());
    }

    [GeneratedRegex(@"https?://[^/\s]+(/v1/staff/setup\?token=stsetup_[A-Za-z0-9_-]+)")]
    private static partial Regex SetupLink();

    [GeneratedRegex(@"[?&]secret=([A-Z2-7]+)")]
    private static partial Regex SecretParameter();
}
