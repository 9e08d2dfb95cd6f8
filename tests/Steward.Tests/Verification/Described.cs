namespace Steward.Tests.Verification;

/// <summary>Who owns the object a route parameter names: what "another client's id" means for it.</summary>
public enum Owner
{
    /// <summary>A client's object: client A's path with client B's id must answer 404.</summary>
    Client,
    /// <summary>A staff member's own object (a session): another staff member's id must answer 404.</summary>
    Staff,
    /// <summary>The processor's, shared by design (a breach register entry, a sub-processor): the guard is the role.</summary>
    Processor,
    /// <summary>Not an id: a value (a document name, a kind, a token).</summary>
    Value,
}

public sealed record Parameter(Owner Owner, Func<World, Party, string> Fill);

/// <summary>A body the suite sends to a route that reads its own (a CSV file, a signed protocol's JSON).</summary>
public sealed record Sample(string ContentType, Func<World, Party, string> Make);

/// <summary>Why a route that anyone may call shows no one's data, and how the suite calls it.</summary>
public sealed record Open(bool Forged, string Why)
{
    /// <summary>Published or self-describing: no personal data behind it. Any caller gets the same answer.</summary>
    public static Open Published(string why) => new(false, why);

    /// <summary>Guarded by a secret in the call (a token, a code, a password): with a forged one it answers 4xx.</summary>
    public static Open Secret(string why) => new(true, why);
}

/// <summary>
/// THE ONE PLACE that tells the verification suite how to reach each route. Routes are found from the app's
/// endpoints, so a new route is covered at once when its guard is known (a client's key, a staff permission,
/// OpenDSR) and its parameters are named below. A route the suite cannot exercise fails it, with the line to add.
/// </summary>
public static class Described
{
    /// <summary>Route parameters by name: who owns the object, and the id of that party's (A's or B's) object.</summary>
    public static readonly Dictionary<string, Parameter> Parameters = new(StringComparer.Ordinal)
    {
        ["clientId"] = new(Owner.Client, (_, p) => p.ClientId.ToString()),
        ["contactId"] = new(Owner.Client, (_, p) => p.ContactId.ToString()),
        ["widgetId"] = new(Owner.Client, (_, p) => p.WidgetId.ToString()),
        ["requestId"] = new(Owner.Client, (_, p) => p.RequestId.ToString()),
        ["inspectionId"] = new(Owner.Client, (_, p) => p.InspectionId.ToString()),
        ["breachId"] = new(Owner.Client, (_, p) => p.BreachId.ToString()), // a breach is its affected clients' (and the processor's)
        ["subjectRequestId"] = new(Owner.Client, (_, p) => p.OpenDsrId),
        ["userId"] = new(Owner.Client, (_, p) => p.UserId.ToString()),
        ["keyId"] = new(Owner.Client, (_, p) => p.KeyId.ToString()),
        ["destructionId"] = new(Owner.Client, (_, p) => p.DestructionId.ToString()), // a client's, on its routes; the processor's desk reaches it by role
        ["holdId"] = new(Owner.Processor, (_, _) => Guid.NewGuid().ToString()), // placed and lifted on the processor's side only
        ["credentialId"] = new(Owner.Processor, (_, _) => Guid.NewGuid().ToString()),
        ["policyId"] = new(Owner.Processor, (_, _) => Guid.NewGuid().ToString()), // a client's uploaded policy, reviewed on the processor's desk
        ["key"] = new(Owner.Value, (_, _) => "encryption-at-rest"), // a measure of the register
        ["sessionId"] = new(Owner.Staff, (w, p) => (p == w.B ? w.OtherStaffSession : Guid.NewGuid()).ToString()),
        ["changeId"] = new(Owner.Processor, (_, _) => Guid.NewGuid().ToString()),
        ["staffId"] = new(Owner.Processor, (_, _) => Guid.NewGuid().ToString()),
        ["grantId"] = new(Owner.Processor, (_, _) => Guid.NewGuid().ToString()),
        ["dutyId"] = new(Owner.Processor, (_, _) => Guid.NewGuid().ToString()),
        ["flagId"] = new(Owner.Processor, (_, _) => Guid.NewGuid().ToString()),
        ["id"] = new(Owner.Processor, (_, _) => Guid.NewGuid().ToString()),
        ["kind"] = new(Owner.Value, (_, _) => "processor"),
        ["version"] = new(Owner.Value, (_, _) => "1"),
        ["document"] = new(Owner.Value, (_, _) => "dpa"),
        ["documentName"] = new(Owner.Value, (_, _) => "v1"),
        ["token"] = new(Owner.Value, (_, _) => "forged" + Guid.NewGuid().ToString("N")),
    };

    /// <summary>Routes anyone may call, by "METHOD /template" (constraints left out).</summary>
    public static readonly Dictionary<string, Open> OpenRoutes = new(StringComparer.Ordinal)
    {
        ["GET /"] = Open.Published("redirects to the API reference"),
        ["GET /health"] = Open.Published("liveness"),
        ["GET /healthz"] = Open.Published("liveness"),
        ["GET /readyz"] = Open.Published("readiness of the stores, no data"),
        ["GET /openapi/{documentName}.json"] = Open.Published("the API description"),
        ["GET /reference/{documentName}"] = Open.Published("the API reference page"),
        ["GET /reference/scalar.js"] = Open.Published("the API reference page's script"),
        ["GET /reference/scalar.aspnetcore.js"] = Open.Published("the API reference page's script"),
        ["GET /reference/favicon.svg"] = Open.Published("the API reference page's icon"),
        ["OPTIONS /v1/public/widgets/{widgetId}/submissions"] = Open.Published("the CORS preflight of a public widget"),
        ["GET /v1/subprocessors"] = Open.Published("the public sub-processor list"),
        ["GET /v1/agreements"] = Open.Published("the published legal documents"),
        ["GET /v1/agreements/{document}/{version}"] = Open.Published("one published legal document"),
        ["GET /v1/discovery"] = Open.Published("OpenDSR discovery"),
        ["GET /v2/discovery"] = Open.Published("OpenDSR discovery"),
        ["GET /v2/certificate"] = Open.Published("the OpenDSR signing certificate"),
        ["GET /v1/public/keys"] = Open.Published("the public keys that sign consent receipts"),
        ["POST /v1/signup"] = Open.Published("creates a new client; reads none"),
        ["POST /v1/public/widgets/{widgetId}/submissions"] = Open.Published("a widget is public by design: a submission writes a consent and reads nothing"),
        ["POST /v1/public/requests"] = Open.Published("a data subject asks; nothing is disclosed before each email is confirmed by its code"),
        ["POST /v1/public/requests/{requestId}/verification"] = Open.Secret("the code mailed to the subject"),
        ["GET /v1/public/exports/{token}"] = Open.Secret("the signed one-time download link"),
        ["GET /v1/public/consents/withdraw"] = Open.Published("a redirect to the console's page with one button; the token is checked when it is pressed"),
        ["GET /v1/public/widgets/{widgetId}"] = Open.Published("what the embedded script draws: field names and consent texts, no client data"),
        ["POST /v1/public/consents/withdraw"] = Open.Secret("the signed withdrawal token"),
        ["GET /v1/public/consents/confirm"] = Open.Published("a page with one button; the token is checked when it is pressed (POST)"),
        ["POST /v1/public/consents/confirm"] = Open.Secret("the signed confirmation token"),
        ["GET /v1/public/consents/receipts/{token}"] = Open.Secret("the receipt's token"),
        ["GET /v1/erasure-confirmations/{token}"] = Open.Published("a page with one button naming no one; the token is checked when it is pressed (POST)"),
        ["POST /v1/erasure-confirmations/{token}"] = Open.Secret("the vendor's erasure-confirmation token"),
        ["POST /v1/staff/setup"] = Open.Secret("the one-time setup link"),
        ["POST /v1/staff/invitations/accept"] = Open.Secret("the invitation token"),
        ["POST /v1/staff/sessions"] = Open.Secret("password and TOTP code"),
        ["POST /v1/client-users/sessions"] = Open.Secret("password (and TOTP code once enrolled)"),
        ["POST /v1/client-users/invitations/accept"] = Open.Secret("the invitation token"),
        ["GET /.well-known/security.txt"] = Open.Published("how to report a vulnerability"),
        ["GET /v1/security/policy"] = Open.Published("the vulnerability disclosure policy"),
        ["POST /v1/security/reports"] = Open.Published("a researcher reports; the report is sealed and nothing is read back"),
        ["GET /v1/security/reports/{id}"] = Open.Secret("the report's unguessable tracking id"),
    };

    /// <summary>A body the generator cannot derive from the route's declared type, by "METHOD /template".</summary>
    public static readonly Dictionary<string, Sample> Bodies = new(StringComparer.Ordinal)
    {
        ["POST /v1/clients/{clientId}/contacts/import"] = new("text/csv", (_, _) => "email,firstName,lastName\r\nnew@example.com,New,Person\r\n"),
        ["POST /v1/opengdpr_requests"] = new("application/json", OpenDsrBody),
        ["POST /v2/requests"] = new("application/json", OpenDsrBody),
    };

    private static string OpenDsrBody(World world, Party party) => $$"""
        {"regulation":"gdpr","subject_request_id":"{{Guid.NewGuid()}}","subject_request_type":"access","submitted_time":"2026-11-01T10:00:00Z",
         "subject_identities":[{"identity_type":"email","identity_value":"{{party.Secrets[0]}}","identity_format":"raw"}],"status_callback_urls":[]}
        """;

    public static string MissingParameter(string name, string route) =>
        $"{route}: the verification suite does not know the route parameter {{{name}}}. Add to tests/Steward.Tests/Verification/Described.cs, Parameters:\n"
        + $"        [\"{name}\"] = new(Owner.Client, (_, p) => p.SomeId.ToString()), // Owner.Client / Staff / Processor / Value; add the id to Party in World.cs if it is a client's object";

    public static string MissingOpen(string route) =>
        $"{route} is open to anyone and not described. Add to tests/Steward.Tests/Verification/Described.cs, OpenRoutes:\n"
        + $"        [\"{route}\"] = Open.Published(\"why it shows no one's data\"), // or Open.Secret(\"the token that guards it\")";

    public static string UnknownGuard(string route, string? policy) =>
        $"{route} is guarded by the policy '{policy}', which the verification suite does not know: teach Routes.Guard in tests/Steward.Tests/Verification/Routes.cs who may call it.";
}
