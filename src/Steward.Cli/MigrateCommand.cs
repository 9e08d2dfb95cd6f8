using System.CommandLine;
using Steward.Data;

namespace Steward.Cli;

public static class MigrateCommand
{
    public static Command Build(Cli cli)
    {
        var migrate = new Command("migrate", "Create or upgrade the database, key vault and forget ledger");
        migrate.SetAction(async (parse, ct) =>
        {
            await using var services = cli.Services(parse);
            await services.InitializeStewardAsync(ct);
            Console.WriteLine("Database, key vault and forget ledger are up to date.");
            return Exit.Ok;
        });
        return migrate;
    }
}
