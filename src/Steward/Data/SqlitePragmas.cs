using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Sqlite.Storage.Internal;
using Microsoft.EntityFrameworkCore.Storage;
using SQLitePCL;

namespace Steward.Data;

/// <summary>Per-connection SQLite settings: wait for the writer instead of failing, WAL with NORMAL sync.</summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();
    /// <summary>
    /// The data database's settings, for every connection to it (held ones too): <see cref="ApplyOnce"/> knows a pooled
    /// native connection by its handle alone, so one opened with fewer settings would keep them under EF Core.
    /// </summary>
    public const string Pragmas = "PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";

    // the native connections already set: a pooled connection keeps its settings, so each is set once, not per open
    private static readonly ConditionalWeakTable<sqlite3, object> Applied = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) =>
        ApplyOnce((SqliteConnection)connection, Pragmas);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        // Microsoft.Data.Sqlite runs every command synchronously: an async call would only add a state machine
        ApplyOnce((SqliteConnection)connection, Pragmas);
        return Task.CompletedTask;
    }

    /// <summary>Runs the PRAGMAs on an open connection, unless its native connection (kept by the pool) already ran them.</summary>
    public static void ApplyOnce(SqliteConnection connection, string pragmas)
    {
        var handle = connection.Handle!;
        if (Applied.TryGetValue(handle, out _)) return;
        using var command = connection.CreateCommand();
        command.CommandText = pragmas;
        command.ExecuteNonQuery();
        Applied.TryAdd(handle, Instance);
    }
}

/// <summary>
/// EF Core's SQLite connection without the SQL functions EF Core adds to every connection it makes (regexp, and the
/// ef_* functions and the EF_DECIMAL collation for decimal arithmetic): Microsoft.Data.Sqlite registers each of them
/// with SQLite on every open of a pooled connection and removes it on every close, twelve native calls each way and
/// their allocations, in every unit of work. Steward maps no decimal and translates no regular expression, so no query
/// of it uses them (a query that did would fail with "no such function", not go wrong quietly).
/// </summary>
#pragma warning disable EF1001 // an internal EF Core API: the one place that makes the connection
public sealed class SqliteConnectionWithoutFunctions(
    RelationalConnectionDependencies dependencies,
    IRawSqlCommandBuilder rawSqlCommandBuilder,
    IDiagnosticsLogger<DbLoggerCategory.Infrastructure> logger)
    : SqliteRelationalConnection(dependencies, rawSqlCommandBuilder, logger)
{
    /// <summary>Steward's SQLite contexts make their connections with this class.</summary>
    public static DbContextOptionsBuilder Use(DbContextOptionsBuilder options) =>
        options.ReplaceService<ISqliteRelationalConnection, SqliteConnectionWithoutFunctions>();

    protected override DbConnection CreateDbConnection()
    {
        var connection = new SqliteConnection(GetValidatedConnectionString());
        if (CommandTimeout is { } timeout) connection.DefaultTimeout = timeout;
        return connection;
    }
}
#pragma warning restore EF1001
