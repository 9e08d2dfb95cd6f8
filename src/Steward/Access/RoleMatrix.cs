using Microsoft.Extensions.Options;

namespace Steward.Access;

/// <summary>The processor's staff roles (P-14). Stored as these strings.</summary>
public static class Roles
{
    public const string ProductManagement = "product-management";
    public const string CustomerSuccess = "customer-success";
    public const string Development = "development";
    public const string SystemAdministration = "system-administration";
    public const string Dpo = "dpo";
    public const string Ceo = "ceo";
    /// <summary>An auditor appointed by a client (P-45, G-19): read-only, time-boxed, that client's access log only.</summary>
    public const string Auditor = "auditor";

    public static readonly string[] All = [ProductManagement, CustomerSuccess, Development, SystemAdministration, Dpo, Ceo, Auditor];
}

/// <summary>What a client's personal data may be used for, under a grant: the rights of P-15.</summary>
public static class Rights
{
    public const string Read = "read";
    public const string Modify = "modify";
    public const string Remove = "remove";
    public const string Export = "export";
    /// <summary>Read a client's access log (its audit events): what an auditor is granted.</summary>
    public const string AuditLog = "audit-log";

    public static readonly string[] All = [Read, Modify, Remove, Export, AuditLog];
}

/// <summary>
/// Named requirements: every staff route and every right on client data is one of these. Authorization policies
/// carry these names; the matrix below says which role holds which.
/// </summary>
public static class Permissions
{
    /// <summary>Any signed-in staff member (their own sessions).</summary>
    public const string SignedIn = "staff.signed-in";
    public const string ManageStaff = "staff.manage";
    public const string DisableStaff = "staff.disable";
    public const string RequestGrant = "grants.request";
    public const string ApproveGrant = "grants.approve";
    public const string RevokeGrant = "grants.revoke";
    public const string ReadGrants = "grants.read";
    /// <summary>Approve one modifying or removing action of a system administrator (P-14 "under DPO supervision").</summary>
    public const string ApproveAction = "actions.approve";
    public const string ReadData = "data." + Rights.Read;
    public const string ModifyData = "data." + Rights.Modify;
    public const string RemoveData = "data." + Rights.Remove;
    public const string ExportData = "data." + Rights.Export;
    public const string ReadAuditLog = "data." + Rights.AuditLog;
    /// <summary>Change or remove personal data in connected third-party tools: the lead PM only (P-14).</summary>
    public const string ModifyThirdParty = "third-party.modify";
    public const string Infrastructure = "infrastructure";
    /// <summary>The processor's compliance desk: sub-processor register and changes, breaches, records of processing,
    /// instructions and purposes, audits, the DPO's duties (the DPO and the CEO).</summary>
    public const string Compliance = "compliance";
    /// <summary>The register of privileged credentials and revealing their secrets: the CEO and the DPO only (P-24).</summary>
    public const string PrivilegedCredentials = "credentials.privileged";
    /// <summary>The backup catalogue (P-19): system administration, which runs the backups, and the DPO and the CEO.</summary>
    public const string ReadBackups = "backups.read";

    /// <summary>Place and lift a legal hold on a client or a contact, which suspends its purges (G-21): the DPO and the CEO.</summary>
    public const string LegalHold = "holds.manage";

    public static readonly string[] All = [SignedIn, ManageStaff, DisableStaff, RequestGrant, ApproveGrant, RevokeGrant, ReadGrants,
        ApproveAction, ReadData, ModifyData, RemoveData, ExportData, ReadAuditLog, ModifyThirdParty, Infrastructure, Compliance, PrivilegedCredentials, ReadBackups, LegalHold];

    public static string ForRight(string right) => "data." + right;
}

/// <summary>One role's row of the matrix.</summary>
public sealed class RoleDefinition
{
    public List<string> Permissions { get; set; } = [];
    /// <summary>Data rights this role may use only with a DPO approval id attached to the request (sysadmin).</summary>
    public List<string> NeedDpoApproval { get; set; } = [];
    /// <summary>How the role reaches data, as told to clients (P-15): "web-ui", "infrastructure", "none".</summary>
    public string Channel { get; set; } = "web-ui";
    /// <summary>Admin roles must sign in with a second factor (P-24). Every staff account enrols TOTP anyway.</summary>
    public bool Admin { get; set; }
}

/// <summary>
/// Steward:Access: the role → permission matrix of this deployment. <c>Matrix</c> picks a preset (Personizely, the
/// default, or GenieBelt, whose customer success are superusers, G-34); <c>Roles:{role}</c> replaces a role's row.
/// </summary>
public sealed class AccessOptions
{
    public string Matrix { get; set; } = "Personizely";
    public Dictionary<string, RoleDefinition> Roles { get; set; } = new(StringComparer.Ordinal);
    /// <summary>What the lead PM holds in addition to product management (P-14).</summary>
    public List<string> LeadPmExtra { get; set; } = [Permissions.ModifyThirdParty];
    public int PasswordIterations { get; set; } = 210_000;
    public int MaxFailedSignIns { get; set; } = 5;
    public TimeSpan FirstLockout { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan MaxLockout { get; set; } = TimeSpan.FromHours(1);
    public TimeSpan SessionIdle { get; set; } = TimeSpan.FromMinutes(30);
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);
    public TimeSpan GrantReviewInterval { get; set; } = TimeSpan.FromDays(90);
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan ActionApprovalLifetime { get; set; } = TimeSpan.FromHours(24);
    /// <summary>
    /// The version of the internal guidelines on protecting client data in force (G-39). Raising it asks every person
    /// to acknowledge the new version before any new grant of theirs.
    /// </summary>
    public string GuidelinesVersion { get; set; } = "2026-12-01";
    /// <summary>Where the links in mails and the console point, e.g. https://steward.example.</summary>
    public string PublicUrl { get; set; } = "http://127.0.0.1:5080";
}

/// <summary>The one place that says what each role may do. Everything else asks it.</summary>
public sealed class RoleMatrix
{
    private readonly Dictionary<string, RoleDefinition> _roles;
    private readonly List<string> _leadPmExtra;

    public RoleMatrix(IOptions<AccessOptions> options)
    {
        var o = options.Value;
        _roles = Preset(o.Matrix);
        foreach (var (role, definition) in o.Roles)
        {
            if (!Roles.All.Contains(role)) throw new InvalidOperationException($"Steward:Access:Roles: unknown role '{role}'.");
            var unknown = definition.Permissions.Concat(definition.NeedDpoApproval.Select(Permissions.ForRight)).Except(Permissions.All).ToList();
            if (unknown.Count > 0) throw new InvalidOperationException($"Steward:Access:Roles:{role}: unknown permission '{unknown[0]}'.");
            _roles[role] = definition;
        }
        _leadPmExtra = o.LeadPmExtra;
    }

    public static Dictionary<string, RoleDefinition> Preset(string name)
    {
        RoleDefinition Row(string channel, bool admin, string[] permissions, string[]? needApproval = null) =>
            new() { Channel = channel, Admin = admin, Permissions = [Permissions.SignedIn, .. permissions], NeedDpoApproval = [.. needApproval ?? []] };
        string[] governance = [Permissions.ManageStaff, Permissions.DisableStaff, Permissions.RequestGrant, Permissions.ApproveGrant,
            Permissions.RevokeGrant, Permissions.ReadGrants, Permissions.PrivilegedCredentials];
        string[] allData = [Permissions.ReadData, Permissions.ModifyData, Permissions.RemoveData, Permissions.ExportData, Permissions.ReadAuditLog];
        var matrix = new Dictionary<string, RoleDefinition>(StringComparer.Ordinal)
        {
            // P-14: web UI only; reads client data; no server data
            [Roles.ProductManagement] = Row("web-ui", false, [Permissions.ReadData]),
            // P-14: web UI only; read only: no modify, export or remove
            [Roles.CustomerSuccess] = Row("web-ui", false, [Permissions.ReadData]),
            // P-14: web UI and source code; no access to stored personal data
            [Roles.Development] = Row("web-ui", false, []),
            // P-14: infrastructure and backups; modify or remove only with a DPO approval attached
            [Roles.SystemAdministration] = Row("infrastructure", true, [Permissions.Infrastructure, Permissions.ReadBackups, Permissions.ModifyData, Permissions.RemoveData],
                [Rights.Modify, Rights.Remove]),
            [Roles.Dpo] = Row("web-ui", true, [.. governance, Permissions.ApproveAction, Permissions.Compliance, Permissions.ReadBackups, Permissions.LegalHold, .. allData]),
            [Roles.Ceo] = Row("web-ui", true, [.. governance, Permissions.Compliance, Permissions.ReadBackups, Permissions.LegalHold, .. allData]),
            // P-45, G-19: the client's access log, read only, through a time-boxed grant for that client
            [Roles.Auditor] = Row("audit", true, [Permissions.ReadAuditLog]),
        };
        switch (name)
        {
            case "Personizely":
                break;
            case "GenieBelt":
                // G-34: customer success work through a superuser admin interface (over the restricted network)
                matrix[Roles.CustomerSuccess] = Row("web-ui", true, [Permissions.ReadData, Permissions.ModifyData, Permissions.RemoveData, Permissions.ExportData]);
                break;
            default:
                throw new InvalidOperationException($"Steward:Access:Matrix: unknown preset '{name}' (Personizely or GenieBelt).");
        }
        return matrix;
    }

    public RoleDefinition Role(string role) => _roles.TryGetValue(role, out var r) ? r : new RoleDefinition();

    public bool Has(string role, bool leadPm, string permission) =>
        Role(role).Permissions.Contains(permission) || (leadPm && role == Roles.ProductManagement && _leadPmExtra.Contains(permission));

    public IEnumerable<string> DataRights(string role) =>
        Rights.All.Where(r => Role(role).Permissions.Contains(Permissions.ForRight(r)));

    public bool NeedsDpoApproval(string role, string right) => Role(role).NeedDpoApproval.Contains(right);
}
