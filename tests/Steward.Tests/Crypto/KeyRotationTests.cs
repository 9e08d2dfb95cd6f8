using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Steward.Crypto;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Crypto;

public sealed class KeyRotationTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task Keys_rotate_rewraps_every_key_online_and_destroys_the_old_kek(Engine engine)
    {
        // no KEK configured: Steward keeps it in the data directory, and rotation makes and retires keys itself
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:Keys:KeyEncryptionKey"] = "");
        var tenant = await app.SignUpAsync();
        var ids = new List<string>();
        for (var i = 0; i < 30; i++) ids.Add((await tenant.CreateContactAsync(new { email = $"r{i}@example.com", firstName = $"R{i}" })).GetProperty("id").GetString()!);
        var oldId = KekIdOnDisk(app);

        // reads go on while another process rotates: none of them may fail
        using var stop = new CancellationTokenSource();
        var (reads, failures) = (0, 0);
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var response = await tenant.Http.GetAsync($"{tenant.Base}/contacts/{ids[reads % ids.Count]}");
                if (response.StatusCode != HttpStatusCode.OK) failures++;
                reads++;
            }
        });
        var (exit, output, errors) = await app.RunCliAsync("keys", "rotate");
        await stop.CancelAsync();
        await reader;

        Assert.True(exit == 0, output + errors);
        var newId = KekIdOnDisk(app);
        Assert.NotEqual(oldId, newId);
        Assert.Contains($"New key-encryption key {newId} replaces {oldId}", output, StringComparison.Ordinal);
        Assert.Contains($"Destroyed retired key-encryption key {oldId}", output, StringComparison.Ordinal);
        Assert.Equal(0, failures);
        Assert.True(reads > 0);
        Assert.Empty(Directory.GetFiles(app.DataDirectory, KeyEncryptionKey.RetiredFilePrefix + "*"));

        // every key is under the new KEK; the data was not touched, and every contact still opens and is found
        var counts = await app.Services.GetRequiredService<KeyVault>().CountByKekAsync(CancellationToken.None);
        Assert.Equal([newId], counts.Keys);
        for (var i = 0; i < ids.Count; i++)
        {
            var contact = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{ids[i]}");
            Assert.Equal($"r{i}@example.com", contact.GetProperty("email").GetString());
        }
        var found = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email=r7@example.com");
        Assert.Equal(ids[7], Assert.Single(found.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());

        // the running server wraps new keys with the new KEK without a restart
        await tenant.CreateContactAsync(new { email = "after@example.com" });
        Assert.Equal([newId], (await app.Services.GetRequiredService<KeyVault>().CountByKekAsync(CancellationToken.None)).Keys);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task A_configured_kek_is_rotated_by_naming_the_old_one_retired_and_afterwards_only_the_new_one_opens_the_keys(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var contact = (await tenant.CreateContactAsync(new { email = "c@example.com" })).GetProperty("id").GetGuid();
        var oldKey = app.Services.GetRequiredService<IConfiguration>()["Steward:Keys:KeyEncryptionKey"]!;
        var newKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        await using (var both = Services(app, newKey, oldKey))
        {
            var report = await both.GetRequiredService<RotateKeys>().HandleAsync(null, CancellationToken.None);
            var oldId = KeyEncryptionKey.IdOf(Convert.FromBase64String(oldKey));
            Assert.Equal([oldId], report.Unused); // the operator removes it from the configuration
            Assert.Empty(report.Destroyed);       // configured keys are the operator's to destroy
            Assert.True(report.Rewrapped >= 2);   // the contact's key and the deployment secrets at least
        }
        await using (var onlyNew = Services(app, newKey))
        {
            using var key = await onlyNew.GetRequiredService<KeyVault>().OpenAsync(tenant.ClientId, contact, CancellationToken.None);
            Assert.NotNull(key);
        }
        await using (var onlyOld = Services(app, oldKey))
        {
            await Assert.ThrowsAnyAsync<CryptographicException>(() =>
                onlyOld.GetRequiredService<KeyVault>().OpenAsync(tenant.ClientId, contact, CancellationToken.None));
        }
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Keys_made_while_kek_rotations_land_are_recorded_under_the_kek_that_wrapped_them_and_open_after_the_rotation(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:Keys:KeyEncryptionKey"] = "");
        var vault = app.Services.GetRequiredService<KeyVault>();
        var kek = app.Services.GetRequiredService<KeyEncryptionKey>();
        var clientId = Guid.NewGuid();
        var made = new System.Collections.Concurrent.ConcurrentBag<(Guid Id, byte[] Sealed)>();
        using var progress = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();

        // every create path, over and over, while new KEKs replace the current one under them
        var creators = Enumerable.Range(0, 3).Select(path => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Guid[] ids = [Guid.NewGuid(), Guid.NewGuid()];
                var keys = path switch
                {
                    0 => await vault.CreateManyAsync([.. ids.Select(id => (clientId, id))], CancellationToken.None),
                    1 => await vault.CreateBatchAsync(clientId, ids, CancellationToken.None),
                    _ => [await vault.OpenOrCreateAsync(clientId, ids[0], CancellationToken.None)],
                };
                foreach (var key in keys)
                {
                    made.Add((key.SubjectId, key.Seal("f", "v"u8)));
                    key.Dispose();
                }
                progress.Release();
            }
        })).ToArray();
        for (var i = 0; i < 12; i++)
        {
            for (var n = 0; n < 3; n++) await progress.WaitAsync();
            kek.RotateGenerated();
        }
        await stop.CancelAsync();
        await Task.WhenAll(creators);

        // each stored id is the id inside its wrapped key: a rotation finds every key the KEK it retires still wraps
        var storage = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Steward.Data.StorageOptions>>().Value;
        await using (var store = new Steward.Data.SqlStore(storage.Database.Provider, storage.KeysConnection))
        await using (var connection = await store.OpenAsync(default))
        await using (var select = Steward.Data.SqlStore.Command(connection, "SELECT kek_id, wrapped FROM subject_keys WHERE client_id = @c", null, ("@c", clientId)))
        await using (var reader = await select.ExecuteReaderAsync())
        {
            var rows = 0;
            for (; await reader.ReadAsync(); rows++)
                Assert.Equal(KeyEncryptionKey.WrappedBy((byte[])reader.GetValue(1)), reader.GetString(0));
            Assert.Equal(made.Count, rows);
        }

        // the rotation finishes and destroys every retired KEK, and every key still opens what it sealed
        var report = await app.Services.GetRequiredService<RotateKeys>().HandleAsync(null, CancellationToken.None);
        Assert.Empty(report.StillInUse);
        Assert.Equal(12, report.Destroyed.Count);
        var opened = await vault.OpenManyAsync(clientId, [.. made.Select(m => m.Id)], CancellationToken.None);
        foreach (var (id, value) in made)
        {
            Assert.Equal("v"u8.ToArray(), opened[id].Open("f", value));
            opened[id].Dispose();
        }
    }

    private static string KekIdOnDisk(StewardApp app) => KeyEncryptionKey.IdOf(
        Convert.FromBase64String(File.ReadAllText(Path.Combine(app.DataDirectory, KeyEncryptionKey.GeneratedFileName))));

    private static ServiceProvider Services(StewardApp app, string current, params string[] retired)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Steward:DataDirectory"] = app.DataDirectory,
            ["Steward:Keys:KeyEncryptionKey"] = current,
        };
        for (var i = 0; i < retired.Length; i++) settings[$"Steward:Keys:Retired:{i}"] = retired[i];
        if (app.Engine == Engine.Postgres)
        {
            settings["Steward:Database:Provider"] = "Postgres";
            settings["ConnectionStrings:Steward"] = app.PostgresConnectionString;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddSteward(configuration).BuildServiceProvider();
    }
}
