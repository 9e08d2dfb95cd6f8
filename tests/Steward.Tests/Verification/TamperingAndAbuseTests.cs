using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Audit;
using Steward.Consents;
using Steward.Data;
using Steward.Requests;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Verification;

/// <summary>
/// ASVS V7.3.3 / V16.4.2 (the audit trail cannot be changed unseen), V2.2.1 / V6.3.1 and API2 / API4 (brute force
/// and bursts), V3.5 / V11.5 (forged or replayed tokens), and CSV formula injection in exports.
/// </summary>
public sealed class TamperingAndAbuseTests
{
    /// <summary>
    /// Random single tamperings — a changed field, a deleted event, a forged event inserted, two events swapped —
    /// each made inside a transaction that is rolled back: verification names exactly the first bad event.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task V7_3_3_every_change_deletion_insertion_or_reordering_of_an_audit_event_is_detected_at_the_first_bad_event(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        for (var i = 0; i < 12; i++) await tenant.CreateContactAsync(new { email = $"t{i}@example.com", firstName = "T" + i });
        for (var i = 0; i < 12; i++) await tenant.Http.GetAsync(tenant.Base + "/contacts?limit=1");
        var events = await app.WithDbAsync((db, _) => db.AuditEvents.CountAsync());

        // the database itself refuses to change or remove an event
        foreach (var sql in new[] { """UPDATE "AuditEvents" SET "Action" = 'x' WHERE "Seq" = 3""", """DELETE FROM "AuditEvents" WHERE "Seq" = 3""" })
            Assert.NotNull(await Record.ExceptionAsync(() => app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync(sql))));

        var drop = engine == Engine.Sqlite
            ? "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;"
            : """DROP TRIGGER audit_events_append_only ON "AuditEvents";""";
        var random = new Random(20261123);
        var columns = new[] { ("Action", "'GetClient'"), ("ActorId", "'someone-else'"), ("ResourceId", "'other'"), ("Outcome", "'refused'"), ("Status", "418"),
            ("Reason", "'hidden'"), ("CorrelationId", "'c'"), ("Hash", engine == Engine.Sqlite ? "X'00'" : "'\\x00'::bytea"), ("PrevHash", engine == Engine.Sqlite ? "X'01'" : "'\\x01'::bytea") };
        int tried = 0, detected = 0;
        var missed = new List<string>();
        for (var round = 0; round < 40; round++)
        {
            var seq = random.Next(2, (int)events);
            var (what, sql, firstBad) = (round % 4) switch
            {
                0 => columns[random.Next(columns.Length)] is var (column, value)
                    ? ($"{column} of event {seq} changed", $"""UPDATE "AuditEvents" SET "{column}" = {value} WHERE "Seq" = {seq}""", (long)seq) : default,
                1 => ($"event {seq} deleted", $"""DELETE FROM "AuditEvents" WHERE "Seq" = {seq}""", seq),
                // a forged event put in the middle: the later ones moved up by one
                2 => ($"a forged event inserted at {seq}", $"""
                    UPDATE "AuditEvents" SET "Seq" = -"Seq" WHERE "Seq" >= {seq};
                    UPDATE "AuditEvents" SET "Seq" = -"Seq" + 1 WHERE "Seq" < 0;
                    INSERT INTO "AuditEvents" ("Seq", "At", "ActorType", "Action", "Outcome", "Status", "PrevHash", "Hash")
                    SELECT {seq}, "At", "ActorType", 'EraseContact', 'ok', 200, "PrevHash", "Hash" FROM "AuditEvents" WHERE "Seq" = {seq + 1};
                    """, seq),
                _ => ($"events {seq} and {seq + 1} swapped", $"""
                    UPDATE "AuditEvents" SET "Seq" = -1 WHERE "Seq" = {seq};
                    UPDATE "AuditEvents" SET "Seq" = {seq} WHERE "Seq" = {seq + 1};
                    UPDATE "AuditEvents" SET "Seq" = {seq + 1} WHERE "Seq" = -1;
                    """, seq),
            };
            var report = await app.WithDbAsync(async (db, _) =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                await db.Database.ExecuteSqlRawAsync(drop + sql);
                var result = await new VerifyAuditChain(db).HandleAsync(CancellationToken.None);
                await transaction.RollbackAsync();
                return result;
            });
            tried++;
            if (!report.Intact && report.FirstBadSeq == firstBad) detected++;
            else missed.Add($"{what}: verify said intact={report.Intact}, first bad {report.FirstBadSeq}");
        }
        // everything rolled back: the real chain is intact, as the CLI sees it
        var (exit, output, _) = await app.RunCliAsync("audit", "verify");
        TestContext.Current.SendDiagnosticMessage($"tampering ({engine}): {tried} tamperings of a {events}-event chain, {detected} detected at the first bad event; {missed.Count} missed");
        Assert.Empty(missed);
        Assert.True(exit == 0, output);
    }

    /// <summary>
    /// A burst of wrong passwords against one account from 60 addresses at once: no more failures are evaluated
    /// than the lockout allows (no race lets extra guesses through), and the right password is refused while locked.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task V2_2_1_a_burst_of_sign_in_guesses_from_many_addresses_is_cut_off_by_the_lockout(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:Access:PasswordIterations"] = "1000");
        var (_, dpo) = await app.SetUpGovernanceAsync();
        var guesses = await Task.WhenAll(Enumerable.Range(0, 120).Select(i =>
            app.SignInAsync(dpo.Email, "wrong password " + i, StaffExtensions.Totp(dpo.TotpSecret, app.Clock.GetUtcNow()), ip: $"198.51.100.{i % 60 + 1}")));
        var evaluated = guesses.Count(g => g.StatusCode == HttpStatusCode.Unauthorized);
        var locked = guesses.Count(g => g.StatusCode == HttpStatusCode.TooManyRequests);
        TestContext.Current.SendDiagnosticMessage($"sign-in burst ({engine}): 120 guesses from 60 addresses, {evaluated} evaluated, {locked} refused by the lockout");
        Assert.Equal(120, evaluated + locked);
        Assert.InRange(evaluated, 1, 5); // Steward:Access:MaxFailedSignIns
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        await (await app.SignInAsync(dpo.Email, dpo.Password, StaffExtensions.Totp(dpo.TotpSecret, app.Clock.GetUtcNow()), ip: "192.0.2.99")).AssertProblemAsync(429);
    }

    /// <summary>
    /// Guessing the 8-digit code of a public request, 200 guesses at once from many addresses: at most the allowed
    /// attempts are evaluated, after which even the right code is refused.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task Art12_6_a_burst_of_code_guesses_on_a_public_request_is_cut_off_after_the_allowed_attempts(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var id = await Steward.Tests.Requests.PublicRequestTests.SubmitAsync(app, tenant, "erasure", "guessed@example.com");
        var code = await Steward.Tests.Requests.PublicRequestTests.CodeForAsync(app, "guessed@example.com");
        var guesses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => app.Anonymous($"203.0.113.{i % 100 + 1}")
            .PostAsJsonAsync($"/v1/public/requests/{id}/verification", new { email = "guessed@example.com", code = (10_000_000 + i * 7 % 89_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture) })));
        var wrong = guesses.Count(g => g.StatusCode == HttpStatusCode.BadRequest);
        var ended = guesses.Count(g => g.StatusCode == HttpStatusCode.Gone);
        var max = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RequestOptions>>().Value.MaxCodeAttempts;
        TestContext.Current.SendDiagnosticMessage($"code guessing ({engine}): 200 guesses at once, {wrong} evaluated, {ended} refused after the limit of {max}");
        Assert.Equal(200, wrong + ended + guesses.Count(g => g.StatusCode == HttpStatusCode.OK));
        Assert.InRange(wrong, 1, max);
        await (await Steward.Tests.Requests.PublicRequestTests.VerifyAsync(app, id, "guessed@example.com", code)).AssertProblemAsync(410);
    }

    /// <summary>Bearer tokens and API keys that were forged, altered or signed out are refused; the rate limit says when to retry.</summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task API2_forged_altered_or_signed_out_credentials_are_refused_and_a_rate_limit_says_when_to_retry(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:RateLimits:SignUpPerMinute"] = "3");
        var tenant = await app.SignUpAsync();
        var (_, dpo) = await app.SetUpGovernanceAsync();
        var tried = 0;
        foreach (var (credential, url) in new[]
        {
            (tenant.ApiKey[..^1] + (tenant.ApiKey[^1] == 'a' ? 'b' : 'a'), tenant.Base),
            (tenant.ApiKey + "x", tenant.Base),
            ("stw_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), tenant.Base),
            (dpo.Token[..^2] + "AA", "/v1/staff/me/sessions"),
            (dpo.Token + "A", "/v1/staff/me/sessions"),
            ("", tenant.Base),
        })
        {
            var http = app.Anonymous();
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + credential);
            await (await http.GetAsync(url)).AssertProblemAsync(401);
            tried++;
        }
        // a signed-out session's token, replayed
        var session = (await (await dpo.Http.GetAsync("/v1/staff/me/sessions")).JsonAsync()).EnumerateArray().First().GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await dpo.Http.DeleteAsync($"/v1/staff/me/sessions/{session}")).StatusCode);
        await (await dpo.Http.GetAsync("/v1/staff/me/sessions")).AssertProblemAsync(401);
        tried++;

        // sign-up is limited per address: the refusal says when to come back
        var limited = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ => await app.Anonymous("192.0.2.200").PostAsJsonAsync("/v1/signup", await app.SignUpBodyAsync())));
        var refused = Assert.Single(limited.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).Take(1));
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 429 carries Retry-After");
        TestContext.Current.SendDiagnosticMessage($"credentials ({engine}): {tried} forged, altered or signed-out credentials refused; rate limit answered 429 with Retry-After {refused.Headers.RetryAfter}");
    }

    /// <summary>
    /// A client user's sign-in, like staff's: 120 wrong passwords for the owner from 60 addresses at once get no more
    /// evaluations than the lockout allows, and the right password is refused while the account is locked.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task V2_2_1_a_burst_of_client_user_sign_in_guesses_from_many_addresses_is_cut_off_by_the_lockout(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:Access:PasswordIterations"] = "1000");
        var body = await app.SignUpBodyAsync();
        Assert.Equal(HttpStatusCode.Created, (await app.Anonymous().PostAsJsonAsync("/v1/signup", body)).StatusCode);
        var email = (string)body["ownerEmail"]!;
        var guesses = await Task.WhenAll(Enumerable.Range(0, 120).Select(i => app.Anonymous($"198.51.100.{i % 60 + 1}")
            .PostAsJsonAsync("/v1/client-users/sessions", new { email, password = "wrong password " + i })));
        var evaluated = guesses.Count(g => g.StatusCode == HttpStatusCode.Unauthorized);
        var locked = guesses.Count(g => g.StatusCode == HttpStatusCode.TooManyRequests);
        TestContext.Current.SendDiagnosticMessage($"client sign-in burst ({engine}): 120 guesses from 60 addresses, {evaluated} evaluated, {locked} refused by the lockout");
        Assert.Equal(120, evaluated + locked);
        Assert.InRange(evaluated, 1, 5); // Steward:Access:MaxFailedSignIns
        await (await app.Anonymous("192.0.2.98").PostAsJsonAsync("/v1/client-users/sessions", new { email, password = (string)body["ownerPassword"]! })).AssertProblemAsync(429);
    }

    /// <summary>
    /// Each rate-limited door — the public routes, sign-up, sign-in — answers a burst from one address with 429, a
    /// problem and Retry-After, while another address is still served.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task API4_every_rate_limited_route_answers_a_burst_with_429_and_retry_after_per_address(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s =>
        {
            s["Steward:RateLimits:PublicPerMinute"] = "5";
            s["Steward:RateLimits:SignUpPerMinute"] = "3";
            s["Steward:RateLimits:SignInPerMinute"] = "4";
        });
        var tenant = await app.SignUpAsync();
        var widget = await Consents.ConsentTests.DefineNewsletterAsync(tenant);
        var doors = new (string Name, int Limit, Func<HttpClient, Task<HttpResponseMessage>> Call)[]
        {
            ("a widget submission", 5, http => http.PostAsJsonAsync($"/v1/public/widgets/{widget}/submissions",
                new { fields = new { email = $"burst-{Guid.NewGuid():N}@example.com" }, consents = new { newsletter = true } })),
            ("a public request", 5, http => http.PostAsJsonAsync("/v1/public/requests", new { clientId = tenant.ClientId, type = "access", emails = new[] { $"burst-{Guid.NewGuid():N}@example.com" } })),
            ("a staff sign-in", 4, http => http.PostAsJsonAsync("/v1/staff/sessions", new { email = "nobody@processor.example", password = "wrong password", code = "000000" })),
            ("a client user's sign-in", 4, http => http.PostAsJsonAsync("/v1/client-users/sessions", new { email = "nobody@client.example", password = "wrong password" })),
            ("a sign-up", 3, async http => await http.PostAsJsonAsync("/v1/signup", await app.SignUpBodyAsync())),
        };
        var address = 10;
        foreach (var (name, limit, call) in doors)
        {
            var ip = $"192.0.2.{address++}";
            var burst = new List<HttpResponseMessage>();
            for (var i = 0; i < limit + 3; i++) burst.Add(await call(app.Anonymous(ip)));
            Assert.True(burst.Take(limit).All(r => r.StatusCode != HttpStatusCode.TooManyRequests), $"{name}: refused within its limit");
            foreach (var refused in burst.Skip(limit))
            {
                await refused.AssertProblemAsync(429);
                Assert.True(refused.Headers.RetryAfter?.Delta is { } wait && wait > TimeSpan.Zero && wait <= TimeSpan.FromMinutes(1), $"{name}: 429 without a Retry-After within the minute");
            }
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await call(app.Anonymous($"192.0.2.{address++}"))).StatusCode);
        }
        TestContext.Current.SendDiagnosticMessage($"rate limits ({engine}): {doors.Length} rate-limited routes, each answered its burst with 429 and Retry-After, another address still served");
    }

    /// <summary>
    /// A subject's one-time download link, sent 20 times at once (a replayed link, or a scanner that opens it while the
    /// subject does): exactly one answer carries the package; an altered link, and the used one afterwards, carry none.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task V3_5_a_download_link_replayed_at_once_gives_the_package_exactly_once_and_an_altered_link_none(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var link = (await PackageAsync(tenant, "replayed@example.com", "Quillonbery")).GetProperty("downloadUrl").GetString()!;
        var token = link.Split("/v1/public/exports/")[1];

        await (await app.Anonymous().GetAsync("/v1/public/exports/" + token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA"))).AssertProblemAsync(404);
        var at = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => app.Anonymous($"203.0.113.{i + 1}").GetAsync(link)));
        var served = at.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        TestContext.Current.SendDiagnosticMessage($"download replay ({engine}): 20 downloads at once, {served.Count} served, {at.Count(r => r.StatusCode == HttpStatusCode.Gone)} gone");
        Assert.Single(served);
        Assert.Contains("Quillonbery", await served[0].Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var refused in at.Where(r => r.StatusCode != HttpStatusCode.OK)) await refused.AssertProblemAsync(410);
        await (await app.Anonymous().GetAsync(link)).AssertProblemAsync(410);
    }

    /// <summary>A contact's access request, verified and fulfilled: its package (download link, expiry).</summary>
    private static async Task<JsonElement> PackageAsync(StewardApp.Tenant tenant, string email, string firstName)
    {
        await tenant.CreateContactAsync(new { email, firstName });
        var request = await Requests.RequestTests.CreateRequestAsync(tenant, new { type = "access", emails = new[] { email } });
        Assert.Equal(HttpStatusCode.OK, (await Requests.RequestTests.MoveAsync(tenant, request, "verified")).StatusCode);
        var fulfilled = await (await tenant.Http.PostAsJsonAsync($"{tenant.Base}/requests/{request.GetProperty("id")}/fulfilment", new { format = (string?)null })).JsonAsync();
        return fulfilled.GetProperty("package");
    }

    /// <summary>
    /// A download link used after it expired — 20 times at once, then again once the retention job has shredded the
    /// unclaimed package — carries nothing: each answer is a 410 problem without the subject's data, and the package
    /// is gone from the store.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task V3_5_an_expired_download_link_replayed_at_once_gives_nothing_and_its_package_is_shredded(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var package = await PackageAsync(tenant, "expired@example.com", "Ostrevanka");
        var link = package.GetProperty("downloadUrl").GetString()!;

        app.Clock.Advance(package.GetProperty("expiresAt").GetDateTimeOffset() - app.Clock.GetUtcNow()); // the very instant it expires
        var at = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => app.Anonymous($"203.0.113.{i + 1}").GetAsync(link)));
        foreach (var refused in at)
        {
            Assert.DoesNotContain("Ostrevanka", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            await refused.AssertProblemAsync(410);
        }
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await using (var scope = app.Services.CreateAsyncScope())
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<Steward.Retention.ExpireData>().PackagesAsync(CancellationToken.None));
        var after = await app.Anonymous().GetAsync(link);
        Assert.DoesNotContain("Ostrevanka", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await after.AssertProblemAsync(410);
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.RequestExports.CountAsync(e => e.PackageSealed != null), tenant.ClientId));
        TestContext.Current.SendDiagnosticMessage($"expired download link ({engine}): 21 downloads after expiry, 0 served, all 410; the unclaimed package shredded");
    }

    /// <summary>
    /// A withdrawal link replayed — 20 times at once, and again later — withdraws once: one withdrawal event, every
    /// answer the same withdrawn state. A forged, altered or truncated token, or a token signed for another purpose
    /// (a resubscribe link), withdraws nothing; once the contact is erased the link answers 410. Withdrawal links do
    /// not expire: Art. 7(3) wants withdrawing as easy as consenting, and the link can only ever withdraw.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task Art7_3_a_withdrawal_link_replayed_withdraws_once_and_a_forged_or_foreign_token_withdraws_nothing(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var widget = await Consents.ConsentTests.DefineNewsletterAsync(tenant);
        var receipt = await (await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions",
            new { fields = new { email = "replay@example.com" }, consents = new { newsletter = true } })).JsonAsync();
        var link = receipt.GetProperty("consents")[0].GetProperty("withdrawUrl").GetString()!;
        var token = link.Split("token=")[1];
        var contact = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email=replay@example.com")).GetProperty("items")[0].GetProperty("id").GetGuid();
        int Withdrawals() => app.WithDbAsync((db, _) => db.ConsentEvents.CountAsync(e => e.ContactId == contact && e.Kind == ConsentEvent.Withdrawn), tenant.ClientId).Result;

        var refused = 0;
        var foreign = await app.WithDbAsync((_, services) => services.GetRequiredService<ResubscribeLinks>().TokenAsync(
            new ResubscribeLinks.Claim(tenant.ClientId, contact, widget, 1, app.Clock.GetUtcNow().AddDays(1), ["newsletter"]), CancellationToken.None));
        foreach (var forged in new[] { token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA"), token[..^1], token + "A", token.Split('.')[0], "." + token.Split('.')[1], foreign })
        {
            await (await app.Anonymous().PostAsync("/v1/public/consents/withdraw?token=" + Uri.EscapeDataString(forged), null)).AssertProblemAsync(404);
            refused++;
        }
        Assert.Equal(0, Withdrawals());

        var at = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => app.Anonymous($"203.0.113.{i + 1}").PostAsync(link, null)));
        Assert.All(at, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        app.Clock.Advance(TimeSpan.FromDays(400));
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().PostAsync(link, null)).StatusCode);
        Assert.Equal(1, Withdrawals());

        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{contact}/erase", null)).StatusCode);
        await (await app.Anonymous().PostAsync(link, null)).AssertProblemAsync(410);
        TestContext.Current.SendDiagnosticMessage($"withdrawal link ({engine}): {refused} forged, altered or foreign tokens refused; 21 replays, 1 withdrawal recorded; 410 once the contact is erased");
    }

    /// <summary>
    /// OpenDSR requests carry no signature of their own: the controller's API key authenticates them, and
    /// <c>subject_request_id</c> is the idempotency key. The same request sent 20 times at once records one request and
    /// gets one answer, byte for byte, with one signature; the same id with another body is refused; a request whose
    /// <c>submitted_time</c> is stale (over a year old) or in the future is refused and records nothing.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task API2_an_OpenDSR_request_replayed_at_once_is_recorded_once_and_a_stale_or_future_one_is_refused(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        static string Body(string id, DateTimeOffset submitted, string email = "subject@example.com") => $$"""
            {"regulation":"gdpr","subject_request_id":"{{id}}","subject_request_type":"erasure","submitted_time":"{{submitted.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}}",
             "subject_identities":[{"identity_type":"email","identity_value":"{{email}}","identity_format":"raw"}],"status_callback_urls":[]}
            """;
        async Task<(HttpStatusCode Status, string Body, string? Signature)> SendAsync(string body)
        {
            var response = await tenant.Http.PostAsync("/v2/requests", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            return (response.StatusCode, await response.Content.ReadAsStringAsync(),
                response.Headers.TryGetValues("X-OpenDSR-Signature", out var s) ? s.Single() : null);
        }
        Task<int> Recorded() => app.WithDbAsync((db, _) => db.OpenDsrRequests.CountAsync(), tenant.ClientId);

        var now = app.Clock.GetUtcNow();
        var id = Guid.NewGuid().ToString();
        var replayed = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => SendAsync(Body(id, now.AddDays(-1)))));
        Assert.All(replayed, r => Assert.Equal(HttpStatusCode.Created, r.Status));
        Assert.Single(replayed.Select(r => (r.Body, r.Signature)).Distinct());
        Assert.NotNull(replayed[0].Signature);
        Assert.Equal(1, await Recorded());
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Body(id, now.AddDays(-2)))).Status); // the same id, another body

        var refused = 0;
        foreach (var submitted in new[] { now.AddDays(-366), now.AddYears(-5), now.AddMinutes(10), now.AddDays(30) })
        {
            var answer = await SendAsync(Body(Guid.NewGuid().ToString(), submitted, $"stale{refused}@example.com"));
            Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
            Assert.Contains("InvalidSubmittedTime", answer.Body, StringComparison.Ordinal);
            refused++;
        }
        Assert.Equal(1, await Recorded());
        TestContext.Current.SendDiagnosticMessage($"OpenDSR replay ({engine}): the same request 20 times at once, 1 recorded, 1 answer and signature; "
            + $"another body under its id refused; {refused} stale or future submitted_time refused, none recorded");
    }

    /// <summary>Every formula-like value in a CSV export is neutralised: no cell a spreadsheet would run.</summary>
    [Fact]
    public void CSV_no_exported_cell_starts_a_formula_whatever_the_value()
    {
        var package = new JsonObject();
        var i = 0;
        foreach (var value in Hostile.Strings) package["f" + i++] = value;
        var csv = AccessPackage.ToCsv(package);
        using var reader = new CsvHelper.CsvReader(new StringReader(csv), System.Globalization.CultureInfo.InvariantCulture);
        reader.Read();
        reader.ReadHeader();
        var cells = 0;
        while (reader.Read())
        {
            var value = reader.GetField(1)!;
            Assert.False(value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r', $"a formula cell: {value}");
            cells++;
        }
        Assert.Equal(Hostile.Strings.Length, cells);
        TestContext.Current.SendDiagnosticMessage($"csv: {Hostile.Strings.Length} hostile values exported, none as a formula");
    }
}
