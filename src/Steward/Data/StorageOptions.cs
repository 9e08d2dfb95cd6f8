using System.ComponentModel.DataAnnotations;

namespace Steward.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>Where Steward keeps its data. Bound from <c>Steward</c> and <c>ConnectionStrings:Steward</c>.</summary>
public sealed class StorageOptions
{
    [Required] public string DataDirectory { get; set; } = "./data";

    public DatabaseOptions Database { get; set; } = new();

    public sealed class DatabaseOptions
    {
        public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    }

    /// <summary>The data database; defaults to <c>{DataDirectory}/steward.db</c> on SQLite.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The key store, kept apart from the data: its own SQLite file, or its own PostgreSQL database or schema
    /// (by default the schema <c>steward_keys</c> of the data database).
    /// </summary>
    public string? KeysConnectionString { get; set; }

    /// <summary>The forget ledger, kept apart from both, so no restore overwrites it.</summary>
    public string? LedgerConnectionString { get; set; }

    public string FullDataDirectory => Path.GetFullPath(DataDirectory);

    public string DataConnectionString => ConnectionString ?? SqliteFile("steward.db");
    public string KeysConnection => KeysConnectionString ?? (Database.Provider == DatabaseProvider.Sqlite
        ? SqliteFile("keys.db") : WithSearchPath(DataConnectionString, "steward_keys"));
    public string LedgerConnection => LedgerConnectionString ?? (Database.Provider == DatabaseProvider.Sqlite
        ? SqliteFile("ledger.db") : WithSearchPath(DataConnectionString, "steward_ledger"));

    private string SqliteFile(string name) => $"Data Source={Path.Combine(FullDataDirectory, name)};Pooling=True";

    private static string WithSearchPath(string connectionString, string schema) =>
        new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema }.ConnectionString;
}
