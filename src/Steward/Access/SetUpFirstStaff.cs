using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Access;

/// <summary>
/// A fresh deployment has no staff and no default password. While it has no active CEO or no active DPO, each start
/// prints a one-time setup link (older links stop working). Used once, it creates the first CEO and DPO, two
/// different people, each invited to choose their own password and enrol TOTP.
/// </summary>
public sealed partial class SetUpFirstStaff(StewardDb db, AddStaff add, BlindIndex index, AuditLog audit,
    IOptions<AccessOptions> options, TimeProvider clock, ILogger<SetUpFirstStaff> log)
{
    public sealed record Person(string? Name, string? Email);
    public sealed record Request(string? Token, Person? Ceo, Person? Dpo);
    public sealed record Invited(Guid StaffId, string Role, string InvitationLink);
    public sealed record Response(List<Invited> Invited);

    /// <summary>At start: a new setup link if the deployment still lacks its CEO or DPO; null otherwise.</summary>
    public async Task<string?> OfferAsync(CancellationToken ct)
    {
        if (await MissingRolesAsync(ct) is { Count: 0 }) return null;
        var now = clock.GetUtcNow();
        var (token, hash) = Credentials.NewToken("stsetup_");
        await using var write = await db.BeginWriteAsync(ct);
        await db.SetupLinks.Where(l => l.UsedAt == null).ExecuteUpdateAsync(u => u.SetProperty(l => l.UsedAt, now), ct);
        db.SetupLinks.Add(new SetupLink { Id = Guid.CreateVersion7(), Hash = hash, CreatedAt = now });
        await audit.RecordAsync(db, "OfferStaffSetup", "setup", null, ct);
        await write.CommitAsync(ct);
        var link = $"{options.Value.PublicUrl.TrimEnd('/')}/v1/staff/setup?token={token}";
        LogSetupLink(log, link);
        return link;
    }

    public async Task<Result<Response>> HandleAsync(Request request, CancellationToken ct)
    {
        if (request.Token is not { Length: < 200 }) return Errors.NotFound("setup link");
        var missing = await MissingRolesAsync(ct);
        var problems = new Problems();
        var people = new List<(string Role, Person Person)>();
        foreach (var role in missing)
        {
            var person = role == Roles.Ceo ? request.Ceo : request.Dpo;
            var check = AddStaff.Check(new AddStaff.Request(person?.Name, person?.Email, role, false), role + ".");
            foreach (var (field, messages) in check.ToDictionary()) foreach (var m in messages) problems.Add(field, m);
            if (person is not null) people.Add((role, person));
        }
        if (people.Count == 2 && string.Equals(people[0].Person.Email?.Trim(), people[1].Person.Email?.Trim(), StringComparison.OrdinalIgnoreCase))
            problems.Add("dpo.email", "The CEO and the DPO must be two different people.");
        if (problems.Any) return Errors.Invalid(problems);

        var hash = Credentials.Hash(request.Token);
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var link = await db.SetupLinks.SingleOrDefaultAsync(l => l.Hash == hash && l.UsedAt == null, ct);
        if (link is null || missing.Count == 0) return Errors.NotFound("setup link");
        link.UsedAt = now;
        var invited = new List<Invited>();
        foreach (var (role, person) in people)
        {
            var emailIndex = (await index.EmailAsync(Guid.Empty, person.Email, ct))!;
            if (await db.StaffMembers.AnyAsync(s => s.EmailIndex == emailIndex, ct))
                return Errors.Conflict($"A staff member with the {role}'s email address already exists.");
            var (member, invitation) = await add.CreateAsync(person.Name!, person.Email!, role, false, emailIndex, ct);
            invited.Add(new Invited(member.Id, role, invitation));
            await audit.RecordAsync(db, "SetUpFirstStaff", "staff", member.Id.ToString(), ct, status: 201);
        }
        await write.CommitAsync(ct);
        return new Response(invited);
    }

    private async Task<List<string>> MissingRolesAsync(CancellationToken ct)
    {
        var present = await db.StaffMembers.Where(s => s.DisabledAt == null && (s.Role == Roles.Ceo || s.Role == Roles.Dpo))
            .Select(s => s.Role).Distinct().ToListAsync(ct);
        return new[] { Roles.Ceo, Roles.Dpo }.Except(present).ToList();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Steward has no CEO or no DPO yet. Set them up once, within this run, at: {Link}  (POST with {{\"token\", \"ceo\": {{\"name\", \"email\"}}, \"dpo\": {{\"name\", \"email\"}}}}; see README)")]
    private static partial void LogSetupLink(ILogger log, string link);
}
