// Scaffolds an EF Core migration for both providers, as `dotnet ef migrations add` would
// (dotnet-ef is not on this machine's package mirror). Usage, from the repository root:
//   dotnet run --project tools/AddMigration -- <MigrationName>
// It writes src/Steward/Data/Migrations/{Sqlite,Postgres}/. Generated files are never hand-edited.
#pragma warning disable EF1001 // the providers' design-time services live in their .Internal namespaces
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Migrations.Design;
using Microsoft.Extensions.DependencyInjection;
using Steward.Data;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: AddMigration <MigrationName>");
    return 2;
}
var project = Path.GetFullPath("src/Steward");
if (!Directory.Exists(project))
{
    Console.Error.WriteLine("Run from the repository root.");
    return 2;
}

Scaffold(new SqliteStewardDb(new DbContextOptionsBuilder<SqliteStewardDb>().UseSqlite("Data Source=:memory:").Options),
    new Microsoft.EntityFrameworkCore.Sqlite.Design.Internal.SqliteDesignTimeServices(), "Sqlite");
Scaffold(new PostgresStewardDb(new DbContextOptionsBuilder<PostgresStewardDb>().UseNpgsql("Host=localhost").Options),
    new Npgsql.EntityFrameworkCore.PostgreSQL.Design.Internal.NpgsqlDesignTimeServices(), "Postgres");
return 0;

void Scaffold(StewardDb db, IDesignTimeServices providerServices, string provider)
{
    var services = new ServiceCollection();
    services.AddEntityFrameworkDesignTimeServices();
    services.AddDbContextDesignTimeServices(db);
    providerServices.ConfigureDesignTimeServices(services);
    using var sp = services.BuildServiceProvider();
    var scaffolder = sp.GetRequiredService<IMigrationsScaffolder>();
    var migration = scaffolder.ScaffoldMigration(args[0], "Steward", $"Data.Migrations.{provider}", "C#");
    var files = scaffolder.Save(project, migration, Path.Combine(project, "Data", "Migrations", provider));
    Console.WriteLine($"{provider}: {files.MigrationFile}");
}
