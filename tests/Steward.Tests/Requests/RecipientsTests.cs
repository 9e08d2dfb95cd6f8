using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;
using Steward.Tests.SubProcessors;

namespace Steward.Tests.Requests;

/// <summary>The recipients a subject is told of, and told about a change, come from the sub-processor register (Art. 15(1)(c), Art. 19).</summary>
public sealed class RecipientsTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task Art19_the_active_sub_processors_are_the_recipients_of_the_package_and_of_each_change(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:Requests:Recipients:0"] = "Print Shop");
        var proposed = await app.ProposeAsync(SubProcessorFixture.Proposal("Not Yet Active", "DE")); // proposed: receives nothing
        await app.ActivateNewAsync(SubProcessorFixture.Proposal("Mailchimp EU", "DE"));
        var tenant = await app.SignUpAsync();
        var contactId = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();

        var found = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/subjects?contactId={contactId}");
        var told = Assert.Single(found.GetProperty("subjects").EnumerateArray()).GetProperty("information").GetProperty("recipients").GetString();
        Assert.Contains("Print Shop", told, StringComparison.Ordinal);
        Assert.Contains("Mailchimp EU", told, StringComparison.Ordinal);
        Assert.DoesNotContain("Not Yet Active", told, StringComparison.Ordinal);

        // a rectification is a task for every recipient, the register's included
        var rectification = await RequestTests.CreateRequestAsync(tenant, new { type = "rectification", emails = new[] { "jane.doe@example.com" } });
        Assert.Equal(HttpStatusCode.OK, (await RequestTests.MoveAsync(tenant, rectification, "verified")).StatusCode);
        var rectified = await (await tenant.Http.PostAsJsonAsync($"{tenant.Base}/requests/{rectification.GetProperty("id")}/fulfilment",
            new { changes = new { lastName = "Doe-Smith" } })).JsonAsync();
        Assert.Equal(["Print Shop", "Mailchimp EU"], rectified.GetProperty("certificate").GetProperty("propagation").EnumerateArray().Select(p => p.GetProperty("to").GetString()));

        // an erasure reaches a sub-processor through its own erasure request, not a second task
        var erasure = await RequestTests.CreateRequestAsync(tenant, new { type = "erasure", emails = new[] { "jane.doe@example.com" } });
        Assert.Equal(HttpStatusCode.OK, (await RequestTests.MoveAsync(tenant, erasure, "verified")).StatusCode);
        var erased = await (await tenant.Http.PostAsJsonAsync($"{tenant.Base}/requests/{erasure.GetProperty("id")}/fulfilment", new { })).JsonAsync();
        var propagation = erased.GetProperty("certificate").GetProperty("propagation").EnumerateArray()
            .ToDictionary(p => p.GetProperty("to").GetString()!, p => p.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["Print Shop"] = "pending", ["Mailchimp EU"] = "erasure-request" }, propagation);
        var tasks = await app.WithDbAsync((db, _) => db.PropagationTasks.AsNoTracking().Select(t => new { t.Action, t.Recipient }).ToListAsync(), tenant.ClientId);
        Assert.Equal(3, tasks.Count);
        Assert.Single(tasks, t => t.Action == "erasure");
        Assert.NotEqual(Guid.Empty, proposed.GetProperty("subProcessorId").GetGuid());
    }
}
