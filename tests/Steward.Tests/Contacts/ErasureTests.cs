using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Tests.Consents;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Contacts;

public sealed class ErasureTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task P09_P26_erasure_destroys_the_key_deletes_every_row_and_appends_the_ledger(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[] { new { name = "plan", type = "text", required = false } });
        var id = (await tenant.CreateContactAsync(new Dictionary<string, object?>(ContactTests.Jane) { ["custom"] = new { plan = "gold" } })).GetProperty("id").GetGuid();
        var widget = await ConsentTests.DefineNewsletterAsync(tenant);
        await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions",
            new { fields = new { email = "jane.doe@example.com" }, consents = new { newsletter = true } });
        // what a backup taken now would hold
        var backup = await app.WithDbAsync((db, _) => db.Contacts.AsNoTracking().SingleAsync(c => c.Id == id), tenant.ClientId);

        var erased = await tenant.Http.PostAsync($"{tenant.Base}/contacts/{id}/erase", null);
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);

        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{id}")).AssertProblemAsync(404);
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{id}/consents")).AssertProblemAsync(404);
        var lookup = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email=jane.doe@example.com");
        Assert.Empty(lookup.GetProperty("items").EnumerateArray());
        Assert.False(await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == id)));
        Assert.False(await app.WithDbAsync((db, _) => db.ConsentEvents.IgnoreQueryFilters().AnyAsync(c => c.ContactId == id)));

        // the key is gone: the backup's ciphertext opens for no one
        var vault = app.Services.GetRequiredService<KeyVault>();
        Assert.Null(await vault.OpenAsync(tenant.ClientId, id, default));
        Assert.NotNull(backup.EmailSealed);

        var ledger = app.Services.GetRequiredService<ForgetLedger>();
        var entries = await ledger.ReadSinceAsync(DateTimeOffset.UnixEpoch, default).ToListAsync();
        var entry = Assert.Single(entries);
        Assert.Equal((tenant.ClientId, id, "contact"), (entry.ClientId, entry.SubjectId, entry.Kind));

        await (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{id}/erase", null)).AssertProblemAsync(404);
    }

    /// <summary>
    /// The erasure of one contact deletes in one command what <see cref="EraseContact.DeleteRowsAsync"/> deletes for
    /// many: its consents, restriction and restricted reads, its undownloaded package (whose key goes too), and
    /// nothing of another contact.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task P09_Art17_erasure_clears_a_restriction_its_reads_and_an_undownloaded_package_with_its_key(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var id = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var kept = (await tenant.CreateContactAsync(new { email = "kept@example.com" })).GetProperty("id").GetGuid();
        var widget = await ConsentTests.DefineNewsletterAsync(tenant);
        foreach (var email in new[] { "jane.doe@example.com", "kept@example.com" })
            await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions", new { fields = new { email }, consents = new { newsletter = true } });
        foreach (var (type, body) in new (string, object)[] { ("access", new { format = (string?)null }), ("restriction", new { ground = "accuracy-contested" }) })
        {
            var request = await Requests.RequestTests.CreateRequestAsync(tenant, new { type, emails = new[] { "jane.doe@example.com" } });
            Assert.Equal(HttpStatusCode.OK, (await Requests.RequestTests.MoveAsync(tenant, request, "verified")).StatusCode);
            Assert.True((await tenant.Http.PostAsJsonAsync($"{tenant.Base}/requests/{request.GetProperty("id")}/fulfilment", body)).IsSuccessStatusCode);
        }
        using (var read = new HttpRequestMessage(HttpMethod.Get, $"{tenant.Base}/contacts/{id}"))
        {
            read.Headers.Add("X-Access-Reason", "Checking the disputed address");
            Assert.Equal(HttpStatusCode.OK, (await tenant.Http.SendAsync(read)).StatusCode);
        }
        var rows = (Guid contact) => app.WithDbAsync(async (db, _) => (
            await db.ConsentEvents.CountAsync(e => e.ContactId == contact),
            await db.ContactRestrictions.CountAsync(e => e.ContactId == contact),
            await db.RestrictedReads.CountAsync(e => e.ContactId == contact),
            await db.RequestExports.CountAsync(e => e.ContactId == contact && e.PackageSealed != null)), tenant.ClientId);
        Assert.Equal((1, 1, 1, 1), await rows(id));
        var before = await rows(kept);
        var package = await app.WithDbAsync((db, _) => db.RequestExports.Where(e => e.ContactId == id && e.PackageSealed != null).Select(e => e.Id).SingleAsync(), tenant.ClientId);
        var vault = app.Services.GetRequiredService<KeyVault>();
        Assert.NotNull(await vault.OpenAsync(tenant.ClientId, package, default));

        var receipt = await (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{id}/erase", null)).JsonAsync();

        Assert.Equal(1, receipt.GetProperty("packagesShredded").GetInt32());
        Assert.Equal((0, 0, 0, 0), await rows(id));
        Assert.False(await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == id)));
        Assert.Null(await vault.OpenAsync(tenant.ClientId, package, default));
        Assert.Null(await vault.OpenAsync(tenant.ClientId, id, default));
        Assert.Equal(before, await rows(kept));
        Assert.NotNull(await vault.OpenAsync(tenant.ClientId, kept, default));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P26_replaying_the_ledger_removes_a_contact_that_a_restore_brought_back(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var id = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var backup = await app.WithDbAsync((db, _) => db.Contacts.AsNoTracking().SingleAsync(c => c.Id == id), tenant.ClientId);
        await tenant.Http.PostAsync($"{tenant.Base}/contacts/{id}/erase", null);

        // a restore puts the old row back
        await app.WithDbAsync(async (db, _) => { db.Contacts.Add(backup); return await db.SaveChangesAsync(); }, tenant.ClientId);
        Assert.True(await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == id)));

        await app.WithDbAsync((db, sp) => sp.GetRequiredService<ReplayForgetLedger>().HandleAsync(default));
        Assert.False(await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == id)));
    }

    /// <summary>
    /// The many-contacts path (a replay, by pages of ids) deletes the rows the single erasure deletes, from the same
    /// list of tables, across pages, and nothing of another contact.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task P26_replay_deletes_by_pages_what_one_erasure_deletes(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var emails = new[] { "one@example.com", "two@example.com", "six@example.com", "ten@example.com" };
        var ids = new List<Guid>();
        foreach (var email in emails) ids.Add((await tenant.CreateContactAsync(new { email })).GetProperty("id").GetGuid());
        var widget = await ConsentTests.DefineNewsletterAsync(tenant);
        foreach (var email in emails)
            await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions", new { fields = new { email }, consents = new { newsletter = true } });
        var rows = (Guid contact) => app.WithDbAsync(async (db, _) => (
            await db.Contacts.IgnoreQueryFilters().CountAsync(c => c.Id == contact),
            await db.ConsentEvents.IgnoreQueryFilters().CountAsync(e => e.ContactId == contact)), tenant.ClientId);
        foreach (var id in ids) Assert.Equal((1, 1), await rows(id));

        await tenant.Http.PostAsync($"{tenant.Base}/contacts/{ids[0]}/erase", null);
        // two contacts on either side of a page boundary, among ids of no contact
        var many = Enumerable.Range(0, 700).Select(_ => Guid.NewGuid()).ToList();
        many[3] = ids[1];
        many[650] = ids[2];
        await app.WithDbAsync(async (db, _) =>
        {
            await using var write = await db.BeginWriteAsync(default);
            await EraseContact.DeleteRowsAsync(db, tenant.ClientId, many, default);
            await write.CommitAsync(default);
            return 0;
        });

        foreach (var id in ids.Take(3)) Assert.Equal((0, 0), await rows(id));
        Assert.Equal((1, 1), await rows(ids[3]));
    }

    /// <summary>Values no test data shares by chance, searched for in every file, as UTF-8 and as UTF-16.</summary>
    private static readonly string[] Secrets =
        ["zanzibar.quokka@example.org", "Quokkafirstname", "Zanzibarlastname", "Quokka Trading Ltd", "+4599887766",
         "Quokkastrasse 77", "quokka-bio-sentence", "192.0.2.77", "Quokkaland", "Zanzicity", "quokka-custom-value",
         "quokka-new@example.org", "203.0.113.99"];

    [Theory, ClassData(typeof(Engines))]
    public async Task DESIGN5_no_personal_value_is_ever_stored_or_logged_in_clear(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[] { new { name = "note", type = "text", required = false } });
        var id = (await tenant.CreateContactAsync(new Dictionary<string, object?>
        {
            ["email"] = Secrets[0],
            ["firstName"] = Secrets[1],
            ["lastName"] = Secrets[2],
            ["company"] = Secrets[3],
            ["phone"] = Secrets[4],
            ["address"] = Secrets[5],
            ["bio"] = Secrets[6],
            ["ipAddress"] = Secrets[7],
            ["country"] = Secrets[8],
            ["city"] = Secrets[9],
            ["custom"] = new { note = Secrets[10] },
        })).GetProperty("id").GetGuid();
        await tenant.Http.GetAsync($"{tenant.Base}/contacts?email={Uri.EscapeDataString(Secrets[0])}");
        await tenant.Http.PatchAsJsonAsync($"{tenant.Base}/contacts/{id}", new { email = Secrets[11] });
        var widget = await ConsentTests.DefineNewsletterAsync(tenant);
        await app.Anonymous(Secrets[12]).PostJsonAsync($"/v1/public/widgets/{widget}/submissions",
            new { fields = new { email = Secrets[11], firstName = Secrets[1] }, consents = new { newsletter = true } });
        await tenant.Http.PostAsync($"{tenant.Base}/contacts?email={Uri.EscapeDataString(Secrets[0])}", null);
        // a refused submission is logged with the submitter's IP: redaction must erase it
        await app.Anonymous(Secrets[12]).PostJsonAsync($"/v1/public/widgets/{widget}/submissions", new { fields = new { email = Secrets[0] } });
        Assert.Contains(app.Logs, l => l.Contains($"Widget {widget} refused a submission from", StringComparison.Ordinal));
        var second = (await tenant.CreateContactAsync(new { email = "second-" + Secrets[0], bio = Secrets[6] })).GetProperty("id");
        await tenant.Http.PostAsync($"{tenant.Base}/contacts/{second}/erase", null);

        var places = new List<(string Where, byte[] Content)>();
        foreach (var file in Directory.EnumerateFiles(app.DataDirectory, "*", SearchOption.AllDirectories))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory);
            places.Add((file, memory.ToArray()));
        }
        if (engine == Engine.Postgres) places.Add(("pg_dump", await PgDumpAsync(app.PostgresConnectionString!)));
        places.Add(("logs", Encoding.UTF8.GetBytes(string.Join('\n', app.Logs))));
        Assert.Contains(places, p => p.Where.EndsWith("steward.db", StringComparison.Ordinal) || p.Where == "pg_dump");

        foreach (var secret in Secrets)
            foreach (var encoding in new Encoding[] { Encoding.UTF8, Encoding.Unicode })
            {
                var needle = encoding.GetBytes(secret);
                foreach (var (where, content) in places)
                    Assert.True(content.AsSpan().IndexOf(needle) < 0, $"'{secret}' is in clear in {where} ({encoding.WebName})");
            }
    }

    internal static async Task<byte[]> PgDumpAsync(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var pgDump = Environment.GetEnvironmentVariable("STEWARD_TEST_PGDUMP") ?? "/usr/lib/postgresql/15/bin/pg_dump";
        var start = new ProcessStartInfo(pgDump, ["-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", builder.Username!, "--data-only", builder.Database!])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await copy;
        Assert.True(process.ExitCode == 0, "pg_dump failed: " + await errors);
        Assert.True(output.Length > 1000, "pg_dump wrote almost nothing");
        return output.ToArray();
    }
}
