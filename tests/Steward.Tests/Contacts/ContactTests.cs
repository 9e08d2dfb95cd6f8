using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Contacts;

public sealed class ContactTests
{
    public static readonly Dictionary<string, object?> Jane = Canaries.PersonalValues(new()
    {
        ["email"] = "Jane.Doe@Example.com",
        ["firstName"] = "Jane",
        ["lastName"] = "Doe",
        ["company"] = "Doe Widgets ApS",
        ["title"] = "Head of Things",
        ["phone"] = "+45 12 34 56 78",
        ["address"] = "Vestergade 1, 1456 Copenhagen",
        ["bio"] = "Likes long walks",
        ["ipAddress"] = "198.51.100.23",
        ["country"] = "Denmark",
        ["city"] = "Copenhagen",
    });

    [Theory, ClassData(typeof(Engines))]
    public async Task P01_every_appendix_field_and_declared_custom_field_is_stored_and_returned(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var fields = await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[]
        {
            new { name = "plan", type = "text", required = true }, new { name = "seats", type = "number", required = false },
            new { name = "vip", type = "boolean", required = false }, new { name = "renewal", type = "date", required = false },
        });
        Assert.Equal(HttpStatusCode.OK, fields.StatusCode);

        var body = new Dictionary<string, object?>(Jane) { ["custom"] = new { plan = "gold", seats = 12, vip = true, renewal = "2027-01-31" } };
        var created = await tenant.CreateContactAsync(body);
        var fetched = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{created.GetProperty("id")}");
        foreach (var (name, value) in Jane) Assert.Equal(value, fetched.GetProperty(name).GetString());
        var custom = fetched.GetProperty("custom");
        Assert.Equal("gold", custom.GetProperty("plan").GetString());
        Assert.Equal(12, custom.GetProperty("seats").GetInt32());
        Assert.True(custom.GetProperty("vip").GetBoolean());
        Assert.Equal("2027-01-31", custom.GetProperty("renewal").GetString());

        // a required custom field, a wrong type and an undeclared field are refused, and nothing is stored
        var before = await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId);
        var problem = await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/contacts",
            new { email = "x@example.com", custom = new { seats = "twelve", nope = 1 } })).AssertProblemAsync(400);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("custom.plan", out _));
        Assert.True(errors.TryGetProperty("custom.seats", out _));
        Assert.True(errors.TryGetProperty("custom.nope", out _));
        Assert.Equal(before, await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P02_a_contact_is_found_by_email_whatever_its_case_and_spaces_and_by_phone_digits(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var created = await tenant.CreateContactAsync(Jane);
        await other.CreateContactAsync(Jane); // the same person at another client: a different blind index

        foreach (var query in new[] { "email=jane.doe@example.com", "email=%20JANE.DOE@EXAMPLE.COM%20", "phone=%2B4512345678", "phone=%2B45%2012-34-56-78" })
        {
            var found = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?{query}");
            var item = Assert.Single(found.GetProperty("items").EnumerateArray());
            Assert.Equal(created.GetProperty("id").GetGuid(), item.GetProperty("id").GetGuid());
        }
        var none = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email=nobody@example.com");
        Assert.Empty(none.GetProperty("items").EnumerateArray());

        var indexes = await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().Select(c => c.EmailIndex).ToListAsync());
        Assert.Equal(2, indexes.Count);
        Assert.NotEqual(indexes[0], indexes[1]);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Contacts_are_listed_page_by_page_with_a_cursor(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++) ids.Add((await tenant.CreateContactAsync(new { email = $"p{i}@example.com" })).GetProperty("id").GetGuid());

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?limit=2" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        } while (cursor is not null);
        Assert.Equal(3, pages);
        Assert.Equal(ids, seen);
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts?cursor=not-a-cursor")).AssertProblemAsync(400);
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts?limit=100000")).AssertProblemAsync(400);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Art16_rectification_changes_only_the_fields_given_and_null_clears_one(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var id = (await tenant.CreateContactAsync(Jane)).GetProperty("id").GetGuid();
        var patched = await tenant.Http.PatchAsJsonAsync($"{tenant.Base}/contacts/{id}", new Dictionary<string, object?> { ["email"] = "jane@new.example", ["bio"] = null });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var contact = await patched.JsonAsync();
        Assert.Equal("jane@new.example", contact.GetProperty("email").GetString());
        Assert.Equal(JsonValueKind.Null, contact.GetProperty("bio").ValueKind);
        Assert.Equal("Jane", contact.GetProperty("firstName").GetString());
        var byNew = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email=jane@new.example");
        Assert.Single(byNew.GetProperty("items").EnumerateArray());
        var byOld = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email=jane.doe@example.com");
        Assert.Empty(byOld.GetProperty("items").EnumerateArray());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Two_contacts_of_one_client_cannot_share_an_email(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await tenant.CreateContactAsync(new { email = "dup@example.com" });
        await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/contacts", new { email = "DUP@example.com " })).AssertProblemAsync(409);
        var second = (await tenant.CreateContactAsync(new { email = "other@example.com" })).GetProperty("id");
        await (await tenant.Http.PatchAsJsonAsync($"{tenant.Base}/contacts/{second}", new { email = "dup@example.com" })).AssertProblemAsync(409);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Contacts_created_in_parallel_are_all_stored_and_all_readable(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var created = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            tenant.CreateContactAsync(new { email = $"parallel{i}@example.com", firstName = $"P{i}" })));
        foreach (var (contact, i) in created.Select((c, i) => (c, i)))
        {
            var read = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{contact.GetProperty("id")}");
            Assert.Equal($"parallel{i}@example.com", read.GetProperty("email").GetString());
        }
    }
}
