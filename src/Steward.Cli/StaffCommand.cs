using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Steward.Access;
using Steward.Data;
using Steward.Http;

namespace Steward.Cli;

public static class StaffCommand
{
    public static Command Build(Cli cli)
    {
        var ceoName = new Option<string?>("--ceo-name") { Description = "The first CEO's name" };
        var ceoEmail = new Option<string?>("--ceo-email") { Description = "The first CEO's email address" };
        var dpoName = new Option<string?>("--dpo-name") { Description = "The first DPO's name" };
        var dpoEmail = new Option<string?>("--dpo-email") { Description = "The first DPO's email address" };
        var setup = new Command("setup", "While the deployment lacks its CEO or DPO: print a fresh one-time setup link (older ones stop working), " +
            "or, given the people, set them up now and print their invitation links")
        {
            ceoName, ceoEmail, dpoName, dpoEmail,
        };
        setup.SetAction(async (parse, ct) =>
        {
            await using var services = cli.Services(parse);
            await services.InitializeStewardAsync(ct);
            await using var scope = Cli.Scope(services);
            var first = scope.ServiceProvider.GetRequiredService<SetUpFirstStaff>();
            var link = await first.OfferAsync(ct);
            if (link is null) return Cli.Refuse("The deployment has its CEO and DPO: they add everyone else (POST /v1/staff).");
            if (new[] { ceoName, ceoEmail, dpoName, dpoEmail }.All(o => parse.GetValue(o) is null))
            {
                Console.WriteLine(link);
                return Exit.Ok;
            }
            var token = new Uri(link).Query.Split("token=")[1];
            var result = await first.HandleAsync(new SetUpFirstStaff.Request(token,
                new SetUpFirstStaff.Person(parse.GetValue(ceoName), parse.GetValue(ceoEmail)),
                new SetUpFirstStaff.Person(parse.GetValue(dpoName), parse.GetValue(dpoEmail))), ct);
            switch (result.Error)
            {
                case InvalidError invalid:
                    foreach (var (field, messages) in invalid.Fields) Console.Error.WriteLine($"{field}: {string.Join(" ", messages)}");
                    return Exit.Refused;
                case { } error:
                    return Cli.Refuse(error.Detail);
            }
            foreach (var invited in result.Value!.Invited)
                Console.WriteLine($"{invited.Role}: {invited.InvitationLink}");
            Console.WriteLine("Each opens their link to choose a password and enrol TOTP (POST /v1/staff/invitations/accept).");
            return Exit.Ok;
        });
        return new Command("staff", "The processor's staff") { setup };
    }
}
