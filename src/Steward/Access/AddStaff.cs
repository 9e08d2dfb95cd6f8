using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Clients;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Notifications;

namespace Steward.Access;

/// <summary>
/// A CEO or DPO adds a staff member with a role (P-18: roles are set by CEO and DPO). The person gets an invitation
/// by mail to choose a password and enrol TOTP; there is no default password. The account reaches no personal data
/// until a grant is approved (P-16).
/// </summary>
public sealed class AddStaff(StewardDb db, KeyVault vault, BlindIndex index, Notifier notifier, AuditLog audit,
    IOptions<AccessOptions> options, TimeProvider clock)
{
    public sealed record Request(string? Name, string? Email, string? Role, bool? LeadPm, string? Engagement = null);
    public sealed record Response(Guid Id, string Role, bool LeadPm, string Engagement);

    public async Task<Result<Response>> HandleAsync(Request request, CancellationToken ct)
    {
        var problems = Check(request);
        if (problems.Any) return Errors.Invalid(problems);
        var emailIndex = (await index.EmailAsync(Guid.Empty, request.Email, ct))!;
        if (await db.StaffMembers.AnyAsync(s => s.EmailIndex == emailIndex, ct))
            return Errors.Conflict("A staff member with this email address already exists.");

        await using var write = await db.BeginWriteAsync(ct);
        var (member, _) = await CreateAsync(request.Name!, request.Email!, request.Role!, request.LeadPm ?? false, emailIndex, ct);
        member.Engagement = request.Engagement ?? Engagements.Employee;
        await audit.RecordAsync(db, "AddStaff", "staff", member.Id.ToString(), ct, status: 201);
        await write.CommitAsync(ct);
        return new Response(member.Id, member.Role, member.LeadPm, member.Engagement);
    }

    /// <summary>Adds the person and mails the invitation, inside the caller's write scope. Returns the invitation link.</summary>
    internal async Task<(StaffMember Member, string Link)> CreateAsync(string name, string email, string role, bool leadPm, byte[] emailIndex, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7();
        using var key = await vault.CreateAsync(Guid.Empty, id, ct);
        var (token, hash) = Credentials.NewToken("stinv_");
        var member = new StaffMember
        {
            Id = id,
            Role = role,
            LeadPm = leadPm && role == Roles.ProductManagement,
            NameSealed = key.Seal("name", Encoding.UTF8.GetBytes(name.Trim())),
            EmailSealed = key.Seal("email", Encoding.UTF8.GetBytes(email.Trim())),
            EmailIndex = emailIndex,
            InvitationHash = hash,
            InvitationExpiresAt = now + options.Value.InvitationLifetime,
            CreatedAt = now,
        };
        db.StaffMembers.Add(member);
        var link = $"{options.Value.PublicUrl.TrimEnd('/')}/v1/staff/invitations/accept?token={token}";
        await notifier.EnqueueAsync(db, new Notifier.Message("staff-invitation", null, email.Trim(), "[Steward] Your staff account",
            $"""
            An account at Steward was made for you, with the role {role}.

            Choose your password and set up your authenticator app within {options.Value.InvitationLifetime.TotalDays:0} days:
            POST {link} with {"{"}"password": "…"{"}"}
            (token: {token})

            If you did not expect this, tell your DPO.
            """), ct);
        return (member, link);
    }

    internal static Problems Check(Request request, string prefix = "")
    {
        var problems = new Problems();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200) problems.Add(prefix + "name", "Give the person's name (at most 200 characters).");
        if (!SignUp.IsEmail(request.Email)) problems.Add(prefix + "email", "Give a valid email address.");
        if (request.Role is null || !Roles.All.Contains(request.Role)) problems.Add(prefix + "role", $"One of: {string.Join(", ", Roles.All)}.");
        if (request.Engagement is not null && !Engagements.All.Contains(request.Engagement))
            problems.Add(prefix + "engagement", $"One of: {string.Join(", ", Engagements.All)} (P-32: contractors are recorded too).");
        return problems;
    }
}
