using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Conventions;

public sealed class ModelTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task The_migrations_match_the_model_on_both_engines(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        Assert.False(await app.WithDbAsync((db, _) => Task.FromResult(db.Database.HasPendingModelChanges())),
            "The model changed without a migration: dotnet run --project tools/AddMigration -- <Name>");
        Assert.Empty(await app.WithDbAsync((db, _) => db.Database.GetPendingMigrationsAsync()));
    }

    /// <summary>Every tenant-owned row is filtered by tenant; every sealed column is marked personal; nothing personal sits in a string column.</summary>
    [Fact]
    public void Every_tenant_row_is_filtered_and_every_personal_column_holds_ciphertext()
    {
        using var db = new SqliteStewardDb(new DbContextOptionsBuilder<SqliteStewardDb>().UseSqlite("Data Source=:memory:").Options);
        foreach (var entity in db.Model.GetEntityTypes())
        {
            if (typeof(ITenantOwned).IsAssignableFrom(entity.ClrType))
                Assert.True(entity.GetDeclaredQueryFilters().Count > 0, $"{entity.ClrType.Name} is tenant-owned but not filtered by tenant");
            foreach (var property in entity.ClrType.GetProperties())
            {
                var personal = property.GetCustomAttribute<PersonalDataAttribute>() is not null;
                if (property.Name.EndsWith("Sealed", StringComparison.Ordinal))
                    Assert.True(personal, $"{entity.ClrType.Name}.{property.Name} holds ciphertext but is not marked [PersonalData]");
                if (personal)
                    Assert.True(property.Name.EndsWith("Sealed", StringComparison.Ordinal), $"{entity.ClrType.Name}.{property.Name} is personal but not sealed");
            }
        }
    }

    /// <summary>
    /// Steward's SQLite connections go without EF Core's decimal functions (SqliteConnectionWithoutFunctions, one
    /// registration per open and close saved): a decimal column would need them for its sums and comparisons.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task No_column_is_decimal_and_sqlite_connections_carry_no_ef_functions(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        await app.WithDbAsync(async (db, _) =>
        {
            foreach (var entity in db.Model.GetEntityTypes())
                foreach (var property in entity.GetProperties())
                    Assert.False((Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType) == typeof(decimal),
                        $"{entity.ClrType.Name}.{property.Name} is a decimal: SQLite's connections lack EF Core's decimal functions");
            if (!db.IsSqlite) return 0;
            // the connection Steward's contexts make runs plain SQL and knows none of EF Core's functions
            Assert.Equal(3, await db.Database.SqlQueryRaw<int>("SELECT 1 + 2 AS \"Value\"").SingleAsync());
            var missing = await Assert.ThrowsAnyAsync<Microsoft.Data.Sqlite.SqliteException>(() =>
                db.Database.SqlQueryRaw<decimal>("SELECT ef_add(1, 2) AS \"Value\"").SingleAsync());
            Assert.Contains("no such function", missing.Message, StringComparison.Ordinal);
            return 0;
        });
    }
}
