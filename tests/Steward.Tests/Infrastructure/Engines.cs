using Npgsql;

namespace Steward.Tests.Infrastructure;

public enum Engine { Sqlite, Postgres }

/// <summary>Every database test runs on both engines: <c>[Theory, ClassData(typeof(Engines))]</c>.</summary>
public sealed class Engines : TheoryData<Engine>
{
    public Engines()
    {
        Add(Engine.Sqlite);
        Add(Engine.Postgres);
    }

    /// <summary>The PostgreSQL server test.sh started. Missing: skipped with a reason, or a failure under CI.</summary>
    public static string PostgresServer()
    {
        var server = Environment.GetEnvironmentVariable("STEWARD_TEST_POSTGRES");
        if (!string.IsNullOrEmpty(server)) return server;
        if (Environment.GetEnvironmentVariable("CI") == "true")
            throw new InvalidOperationException("STEWARD_TEST_POSTGRES is not set: run the tests with ./test.sh, which starts PostgreSQL.");
        Assert.Skip("PostgreSQL is not available (run ./test.sh to start one).");
        return "";
    }

    /// <summary>A fresh database on the test server, dropped with the app.</summary>
    public static async Task<string> CreateDatabaseAsync(string name)
    {
        var server = PostgresServer();
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(PostgresServer());
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
