using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Steward.Requests;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Requests;

public sealed class RequestTests
{
    public static async Task<JsonElement> CreateRequestAsync(StewardApp.Tenant tenant, object body)
    {
        var response = await tenant.Http.PostAsJsonAsync(tenant.Base + "/requests", Canaries.PersonalIn(body));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    public static Task<HttpResponseMessage> MoveAsync(StewardApp.Tenant tenant, JsonElement request, string status, string? reason = null) =>
        tenant.Http.PostAsJsonAsync($"{tenant.Base}/requests/{request.GetProperty("id")}/status", new { status, reason });

    [Theory, ClassData(typeof(Engines))]
    public async Task Art12_3_the_client_sees_overdue_then_due_soon_requests_first_and_closed_ones_last(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine); // the clock: Monday 2 November 2026
        var tenant = await app.SignUpAsync();
        var onTime = await CreateRequestAsync(tenant, new { type = "access", emails = new[] { "c@example.com" } });
        var dueSoon = await CreateRequestAsync(tenant, new { type = "erasure", emails = new[] { "a@example.com" }, receivedAt = "2026-10-03T12:00:00Z" });
        var overdue = await CreateRequestAsync(tenant, new { type = "rectification", phone = "+45 11 22 33 44", receivedAt = "2026-09-20T12:00:00Z" });
        var closed = await CreateRequestAsync(tenant, new { type = "objection", emails = new[] { "d@example.com" }, receivedAt = "2026-09-01T12:00:00Z" });
        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(tenant, closed, "cancelled")).StatusCode);

        Assert.Equal("2026-12-02", onTime.GetProperty("dueOn").GetString());
        Assert.Equal("2026-11-03", dueSoon.GetProperty("dueOn").GetString());
        Assert.Equal("received", onTime.GetProperty("status").GetString());
        Assert.Equal("client", onTime.GetProperty("source").GetString());

        var list = (await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/requests")).EnumerateArray().ToList();
        Assert.Equal([overdue.GetProperty("id").GetGuid(), dueSoon.GetProperty("id").GetGuid(), onTime.GetProperty("id").GetGuid(), closed.GetProperty("id").GetGuid()],
            list.Select(r => r.GetProperty("id").GetGuid()));
        Assert.Equal(["overdue", "due-soon", "on-time", "closed"], list.Select(r => r.GetProperty("dueState").GetString()));
        Assert.Equal("+45 11 22 33 44", list[0].GetProperty("phone").GetString());

        var open = (await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/requests?state=open")).EnumerateArray().ToList();
        Assert.Equal(3, open.Count);

        // time moves on: the on-time one becomes due-soon, then overdue
        app.Clock.Advance(TimeSpan.FromDays(26));
        Assert.Equal("due-soon", (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/requests/{onTime.GetProperty("id")}")).GetProperty("dueState").GetString());
        app.Clock.Advance(TimeSpan.FromDays(5));
        Assert.Equal("overdue", (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/requests/{onTime.GetProperty("id")}")).GetProperty("dueState").GetString());

        // nothing personal sits in clear in the request rows
        var rows = await app.WithDbAsync((db, _) => db.SubjectRequests.AsNoTracking().ToListAsync(), tenant.ClientId);
        Assert.All(rows, r => Assert.DoesNotContain("example.com", System.Text.Encoding.UTF8.GetString(r.IdentitiesSealed), StringComparison.Ordinal));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Art12_a_request_moves_received_verified_in_progress_completed_and_every_step_is_in_its_history(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var contact = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var request = await CreateRequestAsync(tenant, new { type = "access", emails = new[] { "jane.doe@example.com" } });
        Assert.Equal(contact, request.GetProperty("contactId").GetGuid()); // found through the blind index

        await (await MoveAsync(tenant, request, "completed")).AssertProblemAsync(409); // not before it is verified and worked on
        foreach (var status in new[] { "verified", "in_progress" })
        {
            app.Clock.Advance(TimeSpan.FromHours(1));
            Assert.Equal(HttpStatusCode.OK, (await MoveAsync(tenant, request, status)).StatusCode);
        }
        app.Clock.Advance(TimeSpan.FromHours(1));
        var done = await (await MoveAsync(tenant, request, "completed")).JsonAsync();
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(app.Clock.GetUtcNow(), done.GetProperty("closedAt").GetDateTimeOffset());
        Assert.Equal("closed", done.GetProperty("dueState").GetString());

        var steps = done.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["created", "verified", "in_progress", "completed"], steps.Select(s => s.GetProperty("action").GetString()));
        Assert.Equal([null, "received", "verified", "in_progress"], steps.Select(s => s.GetProperty("from").GetString()));
        Assert.All(steps, s => Assert.Equal("api-key", s.GetProperty("actorType").GetString()));
        Assert.Equal(3, (steps[3].GetProperty("at").GetDateTimeOffset() - steps[0].GetProperty("at").GetDateTimeOffset()).TotalHours);

        // a closed request stays closed; an unknown status is no status
        await (await MoveAsync(tenant, done, "in_progress")).AssertProblemAsync(409);
        await (await MoveAsync(tenant, done, "reopened")).AssertProblemAsync(409);
        var audited = await app.WithDbAsync((db, _) => db.AuditEvents.CountAsync(e => e.Action == "ChangeSubjectRequestStatus"
            && e.ResourceId == request.GetProperty("id").GetString() && e.Outcome == "success"));
        Assert.Equal(3, audited);

        // the request must name its subject and have a known type
        await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/requests", new { type = "access" })).AssertProblemAsync(400);
        await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/requests", new { type = "everything", emails = new[] { "x@example.com" } })).AssertProblemAsync(400);
        await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/requests", new { type = "access", emails = new[] { "not an email" } })).AssertProblemAsync(400);
        await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/requests", new { type = "access", contactId = Guid.NewGuid() })).AssertProblemAsync(400);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Art12_4_a_decline_needs_a_reason_and_tells_the_subject_of_the_complaint_and_the_remedy(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var request = await CreateRequestAsync(tenant, new { type = "erasure", emails = new[] { "Declined@Example.com" } });

        await (await MoveAsync(tenant, request, "declined")).AssertProblemAsync(400);
        await (await MoveAsync(tenant, request, "declined", "   ")).AssertProblemAsync(400);
        Assert.Empty(await app.ReadAsync("request-declined"));

        var declined = await (await MoveAsync(tenant, request, "declined", "We must keep invoices for five years (Art. 17(3)(b)).")).JsonAsync();
        Assert.Equal("declined", declined.GetProperty("status").GetString());
        Assert.Equal("We must keep invoices for five years (Art. 17(3)(b)).", declined.GetProperty("declineReason").GetString());
        Assert.Contains(ChangeRequestStatus.RemedyWording, declined.GetProperty("declineNotice").GetString(), StringComparison.Ordinal);

        var mail = Assert.Single(await app.ReadAsync("request-declined"));
        Assert.Equal(tenant.ClientId, mail.ClientId);
        Assert.Equal("declined@example.com", mail.To);
        Assert.Contains("five years", mail.Body, StringComparison.Ordinal);
        Assert.Contains("supervisory authority", mail.Body, StringComparison.Ordinal);
        Assert.Contains("judicial remedy", mail.Body, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Art12_3_the_deadline_is_extended_once_by_up_to_two_months_before_it_passes_with_a_reason_sent_to_the_subject(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine); // received Monday 2 November 2026: due Wednesday 2 December
        var tenant = await app.SignUpAsync();
        var request = await CreateRequestAsync(tenant, new { type = "access", emails = new[] { "slow@example.com" } });
        var url = $"{tenant.Base}/requests/{request.GetProperty("id")}/extension";

        await (await tenant.Http.PostAsJsonAsync(url, new { months = 2 })).AssertProblemAsync(400);          // no reason
        await (await tenant.Http.PostAsJsonAsync(url, new { months = 3, reason = "Many" })).AssertProblemAsync(400); // too long
        await (await tenant.Http.PostAsJsonAsync(url, new { months = 0, reason = "Many" })).AssertProblemAsync(400);
        Assert.Empty(await app.ReadAsync("request-extension"));

        app.Clock.Advance(TimeSpan.FromDays(20));
        var extended = await tenant.Http.PostAsJsonAsync(url, new { months = 2, reason = "Your request covers twelve years of records." });
        Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        var view = await extended.JsonAsync();
        Assert.Equal("2026-12-02", view.GetProperty("firstDueOn").GetString());
        Assert.Equal("2027-02-02", view.GetProperty("dueOn").GetString());
        Assert.Equal("Your request covers twelve years of records.", view.GetProperty("extensionReason").GetString());
        Assert.Equal("extended", view.GetProperty("steps").EnumerateArray().Last().GetProperty("action").GetString());

        // the notice to the subject is recorded with the change
        var notice = Assert.Single(await app.ReadAsync("request-extension"));
        Assert.Equal(("slow@example.com", tenant.ClientId), (notice.To, notice.ClientId));
        Assert.Contains("twelve years", notice.Body, StringComparison.Ordinal);
        Assert.Contains("2 February 2027", notice.Body, StringComparison.Ordinal);

        // only once
        await (await tenant.Http.PostAsJsonAsync(url, new { months = 1, reason = "Again" })).AssertProblemAsync(409);

        // and only before the first deadline
        var late = await CreateRequestAsync(tenant, new { type = "access", emails = new[] { "late@example.com" } });
        app.Clock.Advance(TimeSpan.FromDays(32));
        await (await tenant.Http.PostAsJsonAsync($"{tenant.Base}/requests/{late.GetProperty("id")}/extension", new { months = 1, reason = "Late" })).AssertProblemAsync(409);
        Assert.Single(await app.ReadAsync("request-extension"));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P04_staff_assisted_requests_carry_the_clients_instruction_and_beyond_the_monthly_threshold_are_billable(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:Requests:AssistBillableThreshold"] = "3");
        var tenant = await app.SignUpAsync();
        var settings = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/requests/settings");
        Assert.Equal(("forward", 3, true), (settings.GetProperty("mode").GetString(), settings.GetProperty("assistBillableThreshold").GetInt32(),
            settings.GetProperty("thresholdIsDefault").GetBoolean()));

        // the client's own threshold wins over the deployment's default
        var changed = await tenant.Http.PutAsJsonAsync(tenant.Base + "/requests/settings", new { assistBillableThreshold = 2 });
        Assert.Equal(2, (await changed.JsonAsync()).GetProperty("assistBillableThreshold").GetInt32());

        // staff act only on a written instruction, which is attached to the request
        await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/requests", new { type = "erasure", emails = new[] { "s@example.com" }, source = "staff" })).AssertProblemAsync(400);
        var billable = new List<bool>();
        for (var i = 0; i < 3; i++)
        {
            var r = await CreateRequestAsync(tenant, new { type = "erasure", emails = new[] { $"s{i}@example.com" }, source = "staff", instruction = $"Please erase s{i}: ticket #{i}" });
            Assert.Equal($"Please erase s{i}: ticket #{i}", r.GetProperty("instruction").GetString());
            Assert.Equal("staff", r.GetProperty("source").GetString());
            billable.Add(r.GetProperty("billable").GetBoolean());
        }
        // the client's own requests are not counted
        Assert.False((await CreateRequestAsync(tenant, new { type = "erasure", emails = new[] { "own@example.com" } })).GetProperty("billable").GetBoolean());
        Assert.Equal([false, false, true], billable);

        // a new month starts a new count; another client has its own
        app.Clock.Advance(TimeSpan.FromDays(30));
        Assert.False((await CreateRequestAsync(tenant, new { type = "access", emails = new[] { "n@example.com" }, source = "staff", instruction = "Next month" })).GetProperty("billable").GetBoolean());
        var other = await app.SignUpAsync();
        Assert.False((await CreateRequestAsync(other, new { type = "access", emails = new[] { "o@example.com" }, source = "staff", instruction = "Other" })).GetProperty("billable").GetBoolean());
        await (await tenant.Http.PutAsJsonAsync(tenant.Base + "/requests/settings", new { mode = "sometimes" })).AssertProblemAsync(400);
    }
}
