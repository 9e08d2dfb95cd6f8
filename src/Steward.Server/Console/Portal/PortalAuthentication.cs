using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.Audit;
using Steward.Data;
using Steward.Team;

namespace Steward.Server.Console.Portal;

/// <summary>
/// The client portal's session: a team member's session token (the API's <c>stu_…</c> bearer token, from
/// <see cref="ClientSignIn"/>) in a cookie of its own, separate from the staff console's, looked up on every request
/// like the API's: a removed person or an ended session is refused on the next page.
/// </summary>
public sealed class PortalAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    StewardDb db, AuditContext audit, TimeProvider clock, IOptions<AccessOptions> access)
    : ClientUserAuthentication(options, logger, encoder, db, audit, clock, access)
{
    public new const string SchemeName = "ClientPortal";
    public const string Cookie = "__Host-steward-client";

    protected override string? ReadToken() => Request.Cookies[Cookie];

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ConsoleAuthentication.ToSignInAsync(Context, Cookie, "/console/portal/sign-in");
}
