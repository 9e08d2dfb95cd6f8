using System.CommandLine;

namespace Steward.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // each command lives in its own file and calls the same use cases as the API
        var cli = new Cli();
        var root = new RootCommand("steward: operate a Steward deployment") { cli.DataDir, cli.Provider, cli.Connection };
        root.Subcommands.Add(ServeCommand.Build(cli));
        root.Subcommands.Add(MigrateCommand.Build(cli));
        root.Subcommands.Add(DemoCommand.Build(cli));
        root.Subcommands.Add(ImportCommand.Build(cli));
        root.Subcommands.Add(ExportCommand.Build(cli));
        root.Subcommands.Add(SweepCommand.Build(cli));
        root.Subcommands.Add(AuditCommand.Build(cli));
        root.Subcommands.Add(ReportCommand.Build(cli));
        root.Subcommands.Add(KeysCommand.Build(cli));
        root.Subcommands.Add(BackupCommand.Build(cli));
        root.Subcommands.Add(StaffCommand.Build(cli));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine("See steward --help.");
            return Exit.Refused;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // the message only: a stack trace is no use to a script, and the logs hold the details
            Console.Error.WriteLine($"steward: {e.GetType().Name}: {e.Message}");
            return Exit.Failed;
        }
    }
}
