using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Steward.Breaches;
using Steward.Data;
using Steward.Records;
using Steward.Retention;

namespace Steward.Cli;

public static class ReportCommand
{
    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Build(Cli cli)
    {
        var kind = new Option<string>("--kind") { Description = "processor (Art. 30(2)) or controller (Art. 30(1))", DefaultValueFactory = _ => "processor" };
        kind.AcceptOnlyFromAmong("processor", "controller");
        var html = new Option<bool>("--html") { Description = "A printable HTML page instead of JSON" };
        var ropa = new Command("ropa", "The current record of processing activities, generated from live data and kept as a new version if it changed")
        {
            kind, html,
        };
        ropa.SetAction(async (parse, ct) =>
        {
            await using var services = cli.Services(parse);
            await services.InitializeStewardAsync(ct);
            await using var scope = Cli.Scope(services);
            var current = await scope.ServiceProvider.GetRequiredService<RecordsOfProcessing>().CurrentAsync(parse.GetValue(kind)!, ct);
            Console.WriteLine(parse.GetValue(html) ? RecordsOfProcessing.Html(current) : JsonSerializer.Serialize(current, Indented));
            return Exit.Ok;
        });

        var breachId = new Argument<Guid?>("id") { Description = "One breach; default the whole register", Arity = ArgumentArity.ZeroOrOne };
        var overdue = new Option<bool>("--overdue") { Description = "Only the breaches with an overdue clock" };
        var breach = new Command("breach", "The breach register with each clock, or one breach with its facts, notices and steps; exit 1 if a clock is overdue")
        {
            breachId, overdue,
        };
        breach.SetAction(async (parse, ct) =>
        {
            await using var services = cli.Services(parse);
            await services.InitializeStewardAsync(ct);
            await using var scope = Cli.Scope(services);
            var register = scope.ServiceProvider.GetRequiredService<BreachRegister>();
            List<BreachRegister.View> views;
            if (parse.GetValue(breachId) is { } id)
            {
                var one = await register.OneAsync(id, ct);
                if (!one.IsSuccess) return Cli.Refuse($"No breach {id}.");
                views = [one.Value!];
            }
            else views = await register.ListAsync(parse.GetValue(overdue), ct);
            await Cli.AuditAsync(scope.ServiceProvider, "ReadBreachRegister", "breach", parse.GetValue(breachId)?.ToString(), ct);
            Console.WriteLine(parse.GetValue(breachId) is null ? JsonSerializer.Serialize(views, Indented) : JsonSerializer.Serialize(views[0], Indented));
            return views.Any(v => v.Overdue) ? Exit.Found : Exit.Ok;
        });
        var destructionId = new Argument<Guid>("id") { Description = "The destruction" };
        var destructionHtml = new Option<bool>("--html") { Description = "A printable HTML page instead of JSON" };
        var destruction = new Command("destruction", "A destruction report (P-26): scope, method, keys destroyed, hits per store, approvers, verifier, times; exit 1 while it is open")
        {
            destructionId, destructionHtml,
        };
        destruction.SetAction(async (parse, ct) =>
        {
            await using var services = cli.Services(parse);
            await services.InitializeStewardAsync(ct);
            await using var scope = Cli.Scope(services);
            var id = parse.GetValue(destructionId);
            var found = await scope.ServiceProvider.GetRequiredService<ReadDestructions>().GetAsync(true, id, ct);
            if (!found.IsSuccess) return Cli.Refuse($"No destruction {id}.");
            await Cli.AuditAsync(scope.ServiceProvider, "ReadDestructionReport", "destruction", id.ToString(), ct);
            Console.WriteLine(parse.GetValue(destructionHtml) ? DestructionReport.Html(found.Value!) : JsonSerializer.Serialize(found.Value, Indented));
            return found.Value!.Status == Destruction.Completed ? Exit.Ok : Exit.Found;
        });
        return new Command("report", "Compliance reports") { ropa, breach, destruction };
    }
}
