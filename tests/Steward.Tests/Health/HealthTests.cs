using System.Data.Common;
using System.Net;
using Microsoft.Data.Sqlite;
using Npgsql;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Health;

public sealed class HealthTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task Readyz_is_ready_with_every_store_and_names_the_store_that_fails_without_its_error(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var http = app.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var checks = (await ready.JsonAsync()).GetProperty("checks");
        foreach (var name in new[] { "database", "keyVault", "forgetLedger", "keyRing" }) Assert.Equal("ok", checks.GetProperty(name).GetString());

        // the key vault loses its table: not ready, and the answer says which part without the database's words
        await using (var keys = engine == Engine.Sqlite
            ? (DbConnection)new SqliteConnection($"Data Source={Path.Combine(app.DataDirectory, "keys.db")};Pooling=False")
            : new NpgsqlConnection(app.PostgresConnectionString))
        {
            await keys.OpenAsync();
            await using var drop = keys.CreateCommand();
            drop.CommandText = engine == Engine.Sqlite ? "DROP TABLE subject_keys" : "DROP TABLE steward_keys.subject_keys";
            await drop.ExecuteNonQueryAsync();
        }
        var broken = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, broken.StatusCode);
        var body = await broken.JsonAsync();
        Assert.Equal("not ready", body.GetProperty("status").GetString());
        Assert.Equal("unreachable", body.GetProperty("checks").GetProperty("keyVault").GetString());
        Assert.Equal("ok", body.GetProperty("checks").GetProperty("database").GetString());
        Assert.DoesNotContain("subject_keys", body.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode); // alive, just not ready
    }
}
