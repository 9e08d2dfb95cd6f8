using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Data;

namespace Steward.Access;

/// <summary>Marks a client route with the data right it uses, where the HTTP method alone does not say it.</summary>
public sealed record DataRightMetadata(string Right);

/// <summary>
/// A staff member on a client's routes (asked by <see cref="Clients.ClientAccess"/>, the one tenant gate): they need
/// a live, approved grant for that client (or all clients) holding the right the route uses, a role that holds that
/// right, a reason or ticket (header X-Steward-Reason, recorded in the audit event, P-22), and, where the role says
/// so (system administration), a DPO's approval of this action (header X-Steward-Dpo-Approval), used once.
/// </summary>
public static class StaffClientAccess
{
    public const string ReasonHeader = "X-Steward-Reason";
    public const string ApprovalHeader = "X-Steward-Dpo-Approval";
    public const string RefusalItem = "steward.staff-refusal";
    private const string CheckedItem = "steward.staff-access-checked";

    /// <summary>The right a route uses: its metadata; else its name (Export…, Erase…/Delete…); else its method.</summary>
    public static string RightFor(HttpContext http) => RightFor(http.GetEndpoint(), http.Request.Method);

    public static string RightFor(Endpoint? endpoint, string method)
    {
        if (endpoint?.Metadata.GetMetadata<DataRightMetadata>() is { } declared) return declared.Right;
        var name = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "";
        if (name.StartsWith("Export", StringComparison.Ordinal)) return Rights.Export;
        if (name.StartsWith("Erase", StringComparison.Ordinal) || name.StartsWith("Delete", StringComparison.Ordinal)) return Rights.Remove;
        return method switch
        {
            "GET" or "HEAD" or "OPTIONS" => Rights.Read,
            "DELETE" => Rights.Remove,
            _ => Rights.Modify,
        };
    }

    /// <summary>What a client route acts on: its route values besides the client, in the pattern's order ("contact id", "field/3"); null for the client itself.</summary>
    public static string? Target(HttpContext http)
    {
        var parameters = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.Parameters.Where(p => p.Name != "clientId")
            .Select(p => http.Request.RouteValues[p.Name]?.ToString() ?? "").ToList() ?? [];
        return parameters.Count == 0 ? null : string.Join('/', parameters);
    }

    /// <summary>Null when allowed; otherwise why not (also kept for the 403 answer).</summary>
    public static async Task<string?> RefusalAsync(HttpContext http, StaffPrincipal staff, Guid clientId, StewardDb db, RoleMatrix matrix,
        AuditContext audit, TimeProvider clock)
    {
        // once per request: a second evaluation would find its DPO approval spent by the first
        if (http.Items.TryGetValue(CheckedItem, out var done)) return (string?)done;
        var refusal = await CheckAsync(http, staff, clientId, db, matrix, audit, clock);
        http.Items[CheckedItem] = refusal;
        if (refusal is not null) http.Items[RefusalItem] = refusal;
        return refusal;
    }

    private static async Task<string?> CheckAsync(HttpContext http, StaffPrincipal staff, Guid clientId, StewardDb db, RoleMatrix matrix,
        AuditContext audit, TimeProvider clock)
    {
        var right = RightFor(http);
        audit.ClientId = clientId;
        if (!matrix.Has(staff.Role, staff.LeadPm, Permissions.ForRight(right)))
            return $"The role {staff.Role} may not {right} personal data (P-14).";
        var reason = http.Request.Headers[ReasonHeader].ToString().Trim();
        if (reason.Length is 0 or > 200) return $"Give the reason or ticket for this access in the {ReasonHeader} header (at most 200 characters).";
        audit.Reason = reason;

        var now = clock.GetUtcNow();
        var grants = await db.AccessGrants.AsNoTracking()
            .Where(g => g.StaffId == staff.StaffId && (g.ClientId == clientId || g.ClientId == null) && g.ActiveFrom != null && g.RevokedAt == null)
            .Select(g => new { g.Rights, g.ExpiresAt }).ToListAsync(http.RequestAborted);
        if (!grants.Any(g => (g.ExpiresAt is null || g.ExpiresAt > now) && g.Rights.Split(',').Contains(right)))
            return $"No approved grant gives you the right to {right} this client's personal data (P-16).";

        if (matrix.NeedsDpoApproval(staff.Role, right))
        {
            if (!Guid.TryParse(http.Request.Headers[ApprovalHeader].ToString(), out var approvalId))
                return $"The role {staff.Role} may {right} personal data only with a DPO approval id in the {ApprovalHeader} header (P-14).";
            var action = http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "";
            var target = Target(http);
            var used = await db.ActionApprovals
                .Where(a => a.Id == approvalId && a.StaffId == staff.StaffId && a.ClientId == clientId && a.Action == action && a.Target == target
                    && a.UsedAt == null && a.ExpiresAt > now)
                .ExecuteUpdateAsync(u => u.SetProperty(a => a.UsedAt, now), http.RequestAborted);
            if (used == 0) return "The DPO approval is unknown, for another person, client, action or target, expired or already used.";
            audit.Reason = $"{reason} [dpo-approval {approvalId}]";
        }
        return null;
    }
}
