using System.CommandLine;
using Steward.Server;

namespace Steward.Cli;

public static class ServeCommand
{
    public static Command Build(Cli cli)
    {
        var urls = new Option<string?>("--urls") { Description = "Where to listen (ASPNETCORE_URLS); default http://127.0.0.1:5080" };
        var serve = new Command("serve", "Run the server in this process, as Steward.Server does: migrate, then serve the API and run the jobs") { urls };
        serve.SetAction(async (parse, ct) =>
        {
            var settings = cli.Settings(parse);
            if (parse.GetValue(urls) is { } u) settings["urls"] = u;
            // the server's appsettings.json ships beside this tool: the same defaults wherever it is run from
            await StewardHost.RunAsync(StewardHost.Build(["--contentRoot", AppContext.BaseDirectory], settings), ct);
            return Exit.Ok;
        });
        return serve;
    }
}
