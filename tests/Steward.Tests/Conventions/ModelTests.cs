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
}
