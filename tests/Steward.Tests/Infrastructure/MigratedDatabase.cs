using Microsoft.EntityFrameworkCore;
using Npgsql;
using Steward.Data;

namespace Steward.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL schema every test app starts on, migrated once per run rather than once per app (over 200 apps, each
/// of which applied every migration): a template database each app's database is created from. Only
/// <see cref="Migrate"/> runs on it, no seed: keys, documents and registers are still written by each app's own start,
/// whose migration step then finds nothing to apply. The tests that need an empty database (the CLI's, a deployment's)
/// use <see cref="Engines.CreateDatabaseAsync"/>. SQLite gains nothing measurable from a copied file: it migrates fast.
/// </summary>
public static class MigratedDatabase
{
    private static readonly Lazy<Task<string>> PostgresTemplate = new(CreatePostgresTemplateAsync);

    /// <summary>A new database on the test server holding the migrated schema, dropped with the app.</summary>
    public static async Task<string> CreatePostgresAsync(string name)
    {
        var server = Engines.PostgresServer();
        var template = await PostgresTemplate.Value;
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    private static async Task<string> CreatePostgresTemplateAsync()
    {
        var name = "steward_template_" + Guid.NewGuid().ToString("N");
        var server = Engines.PostgresServer();
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        // no pooling: CREATE DATABASE … TEMPLATE refuses a template anyone is still connected to
        var connection = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ConnectionString;
        await using (var db = new PostgresStewardDb(new DbContextOptionsBuilder<PostgresStewardDb>().UseNpgsql(connection).Options))
            await Migrate.HandleAsync(db, CancellationToken.None);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                using var admin = new NpgsqlConnection(server);
                admin.Open();
                using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
                drop.ExecuteNonQuery();
            }
            catch (NpgsqlException) { } // the server test.sh started may already be stopping
        };
        return name;
    }
}
