using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Steward.Breaches;
using Steward.Dpo;
using Steward.Notifications;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Breaches;

public sealed class BreachTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task P39_each_client_clock_runs_from_awareness_not_detection_with_the_clients_own_target(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var quick = await app.SignUpAsync();
        var slow = await app.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/clients/{slow.ClientId}/terms", new { breachNotifyHours = 72 })).StatusCode);

        var detected = app.Clock.GetUtcNow();
        var id = await app.RecordBreachAsync(new { detectedAt = detected, nature = "API key leaked in a public repository", clientIds = new[] { quick.ClientId, slow.ClientId } });
        var suspected = await app.BreachAsync(id);
        Assert.Equal("suspected", suspected.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, Compliance.ClockOf(suspected, quick.ClientId).GetProperty("dueAt").ValueKind); // triage: no clock yet

        app.Clock.Advance(TimeSpan.FromHours(5)); // a short investigation
        var confirm = await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/status", new { status = "confirmed", note = "key used from an unknown IP" });
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);

        var breach = await app.BreachAsync(id);
        var aware = detected.AddHours(5);
        Assert.Equal(aware, breach.GetProperty("awareAt").GetDateTimeOffset());
        Assert.Equal($"staff:{(await app.DpoUserAsync()).Id}", breach.GetProperty("awareBy").GetString());
        Assert.Equal(5, breach.GetProperty("triageHours").GetDouble());
        Assert.Equal(aware.AddHours(24), Compliance.ClockOf(breach, quick.ClientId).GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal(aware.AddHours(72), Compliance.ClockOf(breach, slow.ClientId).GetProperty("dueAt").GetDateTimeOffset());

        // overdue becomes visible in the register, for the first client only
        app.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        var overdue = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>("/v1/processor/breaches?overdue=true");
        var listed = Assert.Single(overdue.EnumerateArray());
        Assert.True(Compliance.ClockOf(listed, quick.ClientId).GetProperty("overdue").GetBoolean());
        Assert.False(Compliance.ClockOf(listed, slow.ClientId).GetProperty("overdue").GetBoolean());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G06_bad_input_records_nothing_and_an_incident_found_harmless_stays_in_the_register(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var now = app.Clock.GetUtcNow();
        var bad = await (await app.DpoAsync()).PostAsJsonAsync("/v1/processor/breaches", new { detectedAt = now.AddHours(1), nature = "", clientIds = new[] { Guid.NewGuid() } });
        var problem = await bad.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("detectedAt", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("nature", out _));
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.Set<Breach>().CountAsync()));

        var id = await app.RecordBreachAsync(new { detectedAt = now, nature = "Alert: unusual export volume", clientIds = new[] { tenant.ClientId } });
        var dismiss = await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/status", new { status = "not-a-breach", note = "a client's own scheduled export" });
        Assert.Equal(HttpStatusCode.OK, dismiss.StatusCode);
        var register = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>("/v1/processor/breaches");
        var kept = Assert.Single(register.EnumerateArray());
        Assert.Equal("not-a-breach", kept.GetProperty("status").GetString());
        var steps = (await app.BreachAsync(id)).GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()).ToList();
        Assert.Equal(["recorded", "not-a-breach"], steps);
        // no way back from a closed triage
        await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/status", new { status = "confirmed", note = "x" })).AssertProblemAsync(400);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G06_a_scope_computes_the_affected_clients_from_the_data_held(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var early = await app.SignUpAsync();
        await early.CreateContactAsync(new { email = "a@example.com" });
        var none = await app.SignUpAsync(); // no contacts: not affected
        var from = app.Clock.GetUtcNow().AddDays(-1);
        var to = app.Clock.GetUtcNow().AddMinutes(1);
        app.Clock.Advance(TimeSpan.FromDays(2));
        var late = await app.SignUpAsync();
        await late.CreateContactAsync(new { email = "b@example.com" }); // held only after the period

        var id = await app.RecordBreachAsync(new { detectedAt = app.Clock.GetUtcNow(), nature = "backup bucket exposed", scope = new { store = "contacts", from, to } });
        var clients = (await app.BreachAsync(id)).GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("clientId").GetGuid()).ToList();
        Assert.Equal([early.ClientId], clients);
        Assert.DoesNotContain(none.ClientId, clients);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P41_a_notice_cannot_go_while_an_art33_element_is_empty_and_follow_ups_are_phased(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var id = await app.RecordBreachAsync(new { detectedAt = app.Clock.GetUtcNow(), awareAt = app.Clock.GetUtcNow(), awareReason = "confirmed by logs", nature = "API key leaked", clientIds = new[] { tenant.ClientId } });

        var refused = await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/notices", new { })).AssertProblemAsync(400);
        foreach (var field in new[] { "subjectCategories", "approxSubjects", "recordCategories", "approxRecords", "consequences", "measuresTaken" })
            Assert.True(refused.GetProperty("errors").TryGetProperty(field, out _), field);
        Assert.Equal(0, await app.OutboxAsync("breach-notice"));

        // what is not known yet is "to follow": a first phase may go
        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/breaches/{id}/assessment", new
        {
            subjectCategories = "newsletter subscribers",
            approxSubjects = "to follow",
            recordCategories = "email addresses",
            approxRecords = "to follow",
            consequences = "to follow",
            measuresTaken = "key revoked",
        })).StatusCode);
        var first = await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/notices", new { })).JsonAsync();
        Assert.Equal("initial", first.GetProperty("sent")[0].GetProperty("kind").GetString());
        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/breaches/{id}/assessment", Compliance.Facts)).StatusCode);
        var second = await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/notices", new { })).JsonAsync();
        Assert.Equal("follow-up", second.GetProperty("sent")[0].GetProperty("kind").GetString());
        Assert.Equal(2, second.GetProperty("sent")[0].GetProperty("phase").GetInt32());
        Assert.Equal(2, await app.OutboxAsync("breach-notice", tenant.ClientId));

        // the client's portal shows both phases; the last carries every element of Art. 33(3)
        var portal = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/breaches");
        var notices = Assert.Single(portal.EnumerateArray()).GetProperty("notices").EnumerateArray().ToList();
        Assert.Equal(2, notices.Count);
        Assert.Contains("to follow", notices[0].GetProperty("content").GetString(), StringComparison.Ordinal);
        var content = notices[1].GetProperty("content").GetString()!;
        foreach (var part in new[] { "API key leaked", "newsletter subscribers", "about 1,200", "email addresses, names", "phishing attempts", "credential revoked", "rotate all API keys", "Dana Protect", Compliance.Dpo })
            Assert.Contains(part, content, StringComparison.Ordinal);
        // another client sees nothing of it
        var other = await app.SignUpAsync();
        Assert.Empty((await other.Http.GetFromJsonAsync<JsonElement>(other.Base + "/breaches")).EnumerateArray());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P39_the_notice_reaches_the_clients_owner_by_real_mail(Engine engine)
    {
        var port = Mailbox.SmtpPort();
        await using var app = await Compliance.StartAsync(engine, s =>
        {
            s["Steward:Mail:SmtpHost"] = "127.0.0.1";
            s["Steward:Mail:SmtpPort"] = port.ToString(CultureInfo.InvariantCulture);
            s["Steward:Mail:Security"] = "None";
        });
        var body = await app.SignUpBodyAsync();
        var owner = (string)body["ownerEmail"]!;
        var signUp = await app.Anonymous().PostAsJsonAsync("/v1/signup", body);
        var clientId = (await signUp.JsonAsync()).GetProperty("clientId").GetGuid();
        var id = await app.RecordBreachAsync(new { detectedAt = app.Clock.GetUtcNow(), awareAt = app.Clock.GetUtcNow(), awareReason = "confirmed", nature = "laptop stolen", clientIds = new[] { clientId } });
        await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/breaches/{id}/assessment", Compliance.Facts);
        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/notices", new { })).StatusCode);

        await app.RunAsync(sp => sp.GetRequiredService<DeliverNotifications>().HandleAsync(50, default));
        var mail = Assert.Single(await Mailbox.ReceivedAsync(owner));
        Assert.Contains(id.ToString(), mail.Subject, StringComparison.Ordinal);
        Assert.Contains("laptop stolen", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Likely consequences: phishing attempts", mail.Text, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P39_a_late_notice_without_a_reason_is_refused(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var id = await app.RecordBreachAsync(new { detectedAt = app.Clock.GetUtcNow(), awareAt = app.Clock.GetUtcNow(), awareReason = "confirmed", nature = "misdirected export", clientIds = new[] { tenant.ClientId } });
        await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/breaches/{id}/assessment", Compliance.Facts);
        app.Clock.Advance(TimeSpan.FromHours(25));

        var refused = await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/notices", new { })).AssertProblemAsync(400);
        Assert.True(refused.GetProperty("errors").TryGetProperty("lateReason", out _));
        Assert.Equal(0, await app.OutboxAsync("breach-notice"));
        Assert.Equal(JsonValueKind.Null, Compliance.ClockOf(await app.BreachAsync(id), tenant.ClientId).GetProperty("notifiedAt").ValueKind);

        var sent = await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/notices", new { lateReason = "the on-call engineer missed the alert" })).JsonAsync();
        Assert.True(sent.GetProperty("sent")[0].GetProperty("late").GetBoolean());
        var clock = Compliance.ClockOf(await app.BreachAsync(id), tenant.ClientId);
        Assert.Equal("the on-call engineer missed the alert", clock.GetProperty("lateReason").GetString());
        Assert.False(clock.GetProperty("overdue").GetBoolean());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P27_the_authority_clock_starts_at_detection_and_a_late_authority_notice_needs_a_reason(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var detected = app.Clock.GetUtcNow();
        var id = await app.RecordBreachAsync(new { detectedAt = detected, nature = "client account table dumped", processorIsController = true, clientIds = new[] { tenant.ClientId } });
        app.Clock.Advance(TimeSpan.FromHours(10));
        await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/status", new { status = "confirmed", note = "dump found online" });
        await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/breaches/{id}/assessment", new { risk = "risk", riskReasoning = "hashed passwords, emails exposed" });

        var draft = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>($"/v1/processor/breaches/{id}/authority-notice");
        Assert.Equal(detected.AddHours(72), draft.GetProperty("dueAt").GetDateTimeOffset()); // earliest of detection and awareness, P-27
        Assert.Contains("consequences", draft.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
        await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/breaches/{id}/assessment", Compliance.Facts);

        app.Clock.Advance(TimeSpan.FromHours(63)); // 73 hours after detection, 63 after awareness
        var refused = await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/authority-notice", new { reference = "DPA-2026-118" })).AssertProblemAsync(400);
        Assert.True(refused.GetProperty("errors").TryGetProperty("lateReason", out _));
        Assert.True((await app.BreachAsync(id)).GetProperty("authority").GetProperty("overdue").GetBoolean());
        var ok = await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/authority-notice", new { reference = "DPA-2026-118", lateReason = "forensics needed to confirm scope" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var authority = (await app.BreachAsync(id)).GetProperty("authority");
        Assert.Equal("forensics needed to confirm scope", authority.GetProperty("lateReason").GetString());
        Assert.False(authority.GetProperty("overdue").GetBoolean());

        // where the processor is only processor, the controllers notify their authority
        var plain = await app.RecordBreachAsync(new { detectedAt = app.Clock.GetUtcNow(), nature = "x", clientIds = new[] { tenant.ClientId } });
        await (await (await app.DpoAsync()).GetAsync($"/v1/processor/breaches/{plain}/authority-notice")).AssertProblemAsync(409);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P27_the_authority_notice_names_the_lead_authority_of_the_main_establishment_and_a_client_established_elsewhere_brings_its_own(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine, s =>
        {
            s["Steward:Processor:MainEstablishment"] = "DK";
            s["Steward:Processor:Authorities:0:Country"] = "DK";
            s["Steward:Processor:Authorities:0:Name"] = "Datatilsynet";
            s["Steward:Processor:Authorities:0:Contact"] = "dt@datatilsynet.dk";
            s["Steward:Processor:Authorities:1:Country"] = "FR";
            s["Steward:Processor:Authorities:1:Name"] = "CNIL";
            s["Steward:Processor:Authorities:1:Contact"] = "https://notifications.cnil.fr";
        });
        var danish = await app.SignUpAsync();
        var french = await app.SignUpAsync();
        // the operator records where a client is established, when it is not where the processor is
        app.Services.GetRequiredService<IOptions<ProcessorOptions>>().Value.ClientEstablishments[french.ClientId.ToString()] = "fr";

        var local = await app.RecordBreachAsync(new { detectedAt = app.Clock.GetUtcNow(), nature = "client account table dumped", processorIsController = true, clientIds = new[] { danish.ClientId } });
        var draft = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>($"/v1/processor/breaches/{local}/authority-notice");
        Assert.Equal("Datatilsynet", draft.GetProperty("authority").GetProperty("name").GetString());
        Assert.Equal("dt@datatilsynet.dk", draft.GetProperty("authority").GetProperty("contact").GetString());
        Assert.Empty(draft.GetProperty("concernedAuthorities").EnumerateArray());
        Assert.StartsWith("To: Datatilsynet (DK), dt@datatilsynet.dk", draft.GetProperty("content").GetString(), StringComparison.Ordinal);

        var both = await app.RecordBreachAsync(new { detectedAt = app.Clock.GetUtcNow(), nature = "client account table dumped", processorIsController = true, clientIds = new[] { danish.ClientId, french.ClientId } });
        draft = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>($"/v1/processor/breaches/{both}/authority-notice");
        Assert.Equal("Datatilsynet", draft.GetProperty("authority").GetProperty("name").GetString());
        Assert.Equal("CNIL", Assert.Single(draft.GetProperty("concernedAuthorities").EnumerateArray()).GetProperty("name").GetString());
        Assert.Contains("concerned authorities: CNIL (FR), https://notifications.cnil.fr", draft.GetProperty("content").GetString(), StringComparison.Ordinal);

        // the notice as sent names them too
        await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{both}/status", new { status = "confirmed", note = "dump found online" });
        await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/breaches/{both}/assessment", Compliance.Facts);
        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{both}/authority-notice", new { reference = "DT-2026-9" })).StatusCode);
        var sent = await app.WithDbAsync((db, _) => db.Set<BreachNotice>().Where(n => n.BreachId == both && n.Audience == "authority").Select(n => n.Content).SingleAsync());
        Assert.StartsWith("To: Datatilsynet (DK), dt@datatilsynet.dk; concerned authorities: CNIL (FR)", sent, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P27_the_encrypted_data_exemption_needs_evidence_and_a_high_risk_creates_the_data_subject_task(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var now = app.Clock.GetUtcNow();
        var id = await app.RecordBreachAsync(new { detectedAt = now, awareAt = now, awareReason = "confirmed", nature = "backup disk lost", clientIds = new[] { tenant.ClientId } });

        var refused = await (await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/breaches/{id}/assessment",
            new { risk = "high", riskReasoning = "full contact data", exemption = "encrypted" })).AssertProblemAsync(400);
        foreach (var field in new[] { "exemptionAlgorithm", "exemptionKeyRecord", "keyNotExposed" })
            Assert.True(refused.GetProperty("errors").TryGetProperty(field, out _), field);
        var unchanged = await app.BreachAsync(id);
        Assert.Equal("unassessed", unchanged.GetProperty("risk").GetString());
        Assert.Equal("none", unchanged.GetProperty("exemption").GetString());

        var exempt = await (await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/breaches/{id}/assessment", new
        {
            risk = "high",
            riskReasoning = "full contact data",
            exemption = "encrypted",
            exemptionAlgorithm = "AES-256-GCM per-contact keys",
            exemptionKeyRecord = "KEK kept in the HSM; vault access log KV-2026-11 shows no export",
            keyNotExposed = true,
        })).JsonAsync();
        Assert.Equal(JsonValueKind.Null, exempt.GetProperty("dataSubjectTask").ValueKind);
        Assert.Equal("encrypted", (await app.BreachAsync(id)).GetProperty("exemption").GetString());

        // the key turns out exposed: no exemption, so the high risk creates the Art. 34 task
        var task = await (await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/breaches/{id}/assessment", new { risk = "high", riskReasoning = "key exposed too", exemption = "none" })).JsonAsync();
        var taskId = task.GetProperty("dataSubjectTask").GetGuid();
        var duties = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>("/v1/processor/duties");
        var duty = duties.EnumerateArray().Single(d => d.GetProperty("id").GetGuid() == taskId);
        Assert.Equal(Duty.DataSubjectCommunication, duty.GetProperty("kind").GetString());
        Assert.Equal(id, duty.GetProperty("breachId").GetGuid());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G11_no_external_statement_until_every_client_agreed_in_writing_or_the_law_requires_it(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var a = await app.SignUpAsync();
        var b = await app.SignUpAsync();
        var now = app.Clock.GetUtcNow();
        var id = await app.RecordBreachAsync(new { detectedAt = now, awareAt = now, awareReason = "confirmed", nature = "widget script tampered", clientIds = new[] { a.ClientId, b.ClientId } });
        var statement = new { audience = "public", content = "We are investigating an incident." };

        await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/communications", statement)).AssertProblemAsync(409);
        Assert.Equal(HttpStatusCode.OK, (await a.Http.PostAsJsonAsync($"{a.Base}/breaches/{id}/communications-agreement", new { reference = "Agreed to the text of 2 Nov, signed J. Doe" })).StatusCode);
        await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/communications", statement)).AssertProblemAsync(409);

        // a client not affected cannot agree for it
        var stranger = await app.SignUpAsync();
        await (await stranger.Http.PostAsJsonAsync($"{stranger.Base}/breaches/{id}/communications-agreement", new { reference = "yes" })).AssertProblemAsync(404);

        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/clients/{b.ClientId}/legal-obligation",
            new { reference = "court order 2026/55 requires disclosure" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/communications", statement)).StatusCode);
        var notices = (await app.BreachAsync(id)).GetProperty("notices").EnumerateArray().ToList();
        Assert.Equal("public", Assert.Single(notices).GetProperty("audience").GetString());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P40_a_suspected_incident_gets_an_advisory_only_where_the_clients_terms_say_so(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var id = await app.RecordBreachAsync(new { detectedAt = app.Clock.GetUtcNow(), nature = "possible credential stuffing", kind = "threatened", clientIds = new[] { tenant.ClientId } });
        await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/breaches/{id}/assessment", Compliance.Facts);
        await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/clients/{tenant.ClientId}/terms", new { notifyThreatened = false });
        await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/notices", new { })).AssertProblemAsync(409);
        Assert.Equal(0, await app.OutboxAsync("breach-notice"));

        await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/clients/{tenant.ClientId}/terms", new { notifyThreatened = true });
        var sent = await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{id}/notices", new { })).JsonAsync();
        Assert.Equal("advisory", sent.GetProperty("sent")[0].GetProperty("kind").GetString());
        // an advisory does not stop the clock that starts at awareness
        Assert.Equal(JsonValueKind.Null, Compliance.ClockOf(await app.BreachAsync(id), tenant.ClientId).GetProperty("notifiedAt").ValueKind);
        var portal = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/breaches");
        Assert.Contains("not yet confirmed", Assert.Single(portal.EnumerateArray()).GetProperty("notices")[0].GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G11_reminders_then_escalation_to_dpo_and_ceo_as_the_clock_runs_down_each_once(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var now = app.Clock.GetUtcNow();
        await app.RecordBreachAsync(new { detectedAt = now, awareAt = now, awareReason = "confirmed", nature = "misdirected mail", clientIds = new[] { tenant.ClientId } });
        Task<int> Remind() => app.RunAsync(sp => sp.GetRequiredService<RemindBreachClocks>().HandleAsync(default));

        app.Clock.Advance(TimeSpan.FromHours(11));
        Assert.Equal(0, await Remind());
        app.Clock.Advance(TimeSpan.FromHours(1)); // half of 24 hours
        Assert.Equal(1, await Remind());
        Assert.Equal(1, await app.OutboxAsync("breach-reminder")); // the DPO
        Assert.Equal(0, await Remind());
        app.Clock.Advance(TimeSpan.FromHours(6)); // three quarters
        Assert.Equal(1, await Remind());
        Assert.Equal(2, await app.OutboxAsync("breach-escalation")); // the DPO and the CEO
        app.Clock.Advance(TimeSpan.FromHours(6) + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Remind());
        Assert.Equal(2, await app.OutboxAsync("breach-overdue"));
        Assert.Equal(0, await Remind());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Processor_endpoints_are_the_DPO_and_CEO_s_and_refuse_other_staff_client_keys_and_strangers(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await (await app.Anonymous().GetAsync("/v1/processor/breaches")).AssertProblemAsync(401);
        await (await tenant.Http.GetAsync("/v1/processor/breaches")).AssertProblemAsync(401);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        Assert.Equal(HttpStatusCode.OK, (await dpo.Http.GetAsync("/v1/processor/breaches")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await dpo.Http.GetAsync("/v1/admin/subprocessors")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ceo.Http.GetAsync("/v1/processor/breaches")).StatusCode);
        var developer = await app.AddStaffAsync(ceo, Steward.Access.Roles.Development);
        await (await developer.Http.GetAsync("/v1/processor/breaches")).AssertProblemAsync(403);
        await (await developer.Http.GetAsync("/v1/admin/subprocessors")).AssertProblemAsync(403);
    }
}
