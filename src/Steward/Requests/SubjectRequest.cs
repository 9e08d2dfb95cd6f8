using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Requests;

/// <summary>
/// A data subject request (Arts 15–21) held for a client, with its legal clock (Art. 12(3)). The subject's
/// identities and every free text (instruction, reasons) are sealed under the request's own key: a request is
/// evidence the client keeps, so it is not tied to the contact's key, which erasure destroys.
/// </summary>
public sealed class SubjectRequest : ITenantOwned
{
    public const string Received = "received";
    public const string Verified = "verified";
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Declined = "declined";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> Types = ["access", "portability", "rectification", "erasure", "restriction", "objection"];
    public static readonly IReadOnlyList<string> Closed = [Completed, Declined, Cancelled];

    /// <summary>Who raised it: the data subject (public intake), the client, or processor staff on the client's written instruction.</summary>
    /// <summary>…or the controller's own system through the OpenDSR API ("opendsr").</summary>
    public static readonly IReadOnlyList<string> Sources = ["subject", "client", "staff", "opendsr"];

    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public required string Type { get; set; }
    public required string Status { get; set; }
    public required string Source { get; set; }
    public Guid? ContactId { get; set; }
    /// <summary>Who answers it: the client, or the processor (staff-assisted, or direct under the client's settings). Null until routed.</summary>
    public string? HandledBy { get; set; }
    /// <summary>JSON {emails, phone}, sealed under the request's key (field "identities").</summary>
    [PersonalData] public required byte[] IdentitiesSealed { get; set; }
    /// <summary>The client's written instruction to processor staff (P-04), or the subject's own words.</summary>
    [PersonalData] public byte[]? InstructionSealed { get; set; }
    [PersonalData] public byte[]? ExtensionReasonSealed { get; set; }
    [PersonalData] public byte[]? DeclineReasonSealed { get; set; }
    /// <summary>A rectification the subject asked for: a contact merge patch (JSON), sealed under the request's key (field "changes").</summary>
    [PersonalData] public byte[]? ChangesSealed { get; set; }
    /// <summary>A staff-assisted request beyond the client's monthly threshold (P-04).</summary>
    public bool Billable { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    /// <summary>When it was recorded here (receipt may be earlier, by the client).</summary>
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The first deadline: one calendar month from receipt (<see cref="RequestDeadlines"/>).</summary>
    public DateOnly FirstDueOn { get; set; }
    /// <summary>The deadline in force: the first one, or the extended one.</summary>
    public DateOnly DueOn { get; set; }
    public DateTimeOffset? ExtendedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>The completion record (JSON): for an erasure its certificate of the stores cleared; for the other rights what was
    /// done, when, by whom, and the recipients told. Ids, names and times only, no personal value.</summary>
    public string? Certificate { get; set; }
    /// <summary>How many steps its history has: numbers them in order.</summary>
    public int StepCount { get; set; }

    public bool IsClosed => Closed.Contains(Status);

    internal static void Configure(ModelBuilder model)
    {
        model.Entity<SubjectRequest>(e =>
        {
            e.HasIndex(r => new { r.ClientId, r.DueOn });
            e.HasIndex(r => new { r.ClientId, r.ContactId });
            e.Property(r => r.Type).HasMaxLength(20);
            e.Property(r => r.Status).HasMaxLength(20);
            e.Property(r => r.Source).HasMaxLength(20);
            e.Property(r => r.HandledBy).HasMaxLength(20);
        });
        model.Entity<SubjectRequestStep>(e =>
        {
            e.HasIndex(s => new { s.ClientId, s.RequestId });
            e.Property(s => s.Action).HasMaxLength(50);
            e.Property(s => s.FromStatus).HasMaxLength(20);
            e.Property(s => s.ToStatus).HasMaxLength(20);
            e.Property(s => s.ActorType).HasMaxLength(20);
            e.Property(s => s.ActorId).HasMaxLength(100);
        });
        model.Entity<RequestSettings>(e =>
        {
            e.HasKey(s => s.ClientId);
            e.Property(s => s.Mode).HasMaxLength(20);
        });
        model.Entity<RequestVerification>(e => e.HasIndex(v => new { v.ClientId, v.RequestId }));
        RequestExport.Configure(model);
        PropagationTask.Configure(model);
    }
}

/// <summary>One step in a request's life: who moved it, from what to what, when. Appended, never changed.</summary>
public sealed class SubjectRequestStep : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid RequestId { get; set; }
    /// <summary>1, 2, 3…: the order of the steps, which may share a millisecond.</summary>
    public int Number { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Action { get; set; }
    public string? FromStatus { get; set; }
    public required string ToStatus { get; set; }
    public required string ActorType { get; set; }
    public string? ActorId { get; set; }
}

/// <summary>
/// A client's choices about its data subjects' requests: who answers them (<c>dsr.mode</c>, A.3) and how many
/// staff-assisted requests a month are free (<c>dsr.assist.billableThreshold</c>, P-04). No row: the defaults.
/// </summary>
public sealed class RequestSettings : ITenantOwned
{
    public const string Forward = "forward";
    public const string Direct = "direct";

    public Guid ClientId { get; set; }
    public string Mode { get; set; } = Forward;
    public int? AssistBillableThreshold { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// The proof that the subject controls one email address named on a public request: a one-time code mailed to it,
/// kept only as an HMAC, valid for a while and for a few attempts.
/// </summary>
public sealed class RequestVerification : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid RequestId { get; set; }
    /// <summary>Which of the request's emails (its position in the sealed identities).</summary>
    public int EmailOrdinal { get; set; }
    public required byte[] CodeHash { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? VerifiedAt { get; set; }
}

public sealed class RequestOptions
{
    /// <summary>Staff-assisted requests a client gets free per calendar month before they are billable (P-04).</summary>
    public int AssistBillableThreshold { get; set; } = 10;
    /// <summary>An open request due within this many days is "due-soon".</summary>
    public int DueSoonDays { get; set; } = 7;
    public int CodeLifetimeMinutes { get; set; } = 30;
    public int MaxCodeAttempts { get; set; } = 5;
    /// <summary>How long an access package's download link lives.</summary>
    public int ExportLinkHours { get; set; } = 24;
    /// <summary>How long before a restriction is lifted the subject is told (Art. 18(3)).</summary>
    public int RestrictionLiftNoticeHours { get; set; } = 24;
    /// <summary>
    /// Recipients of the clients' contact data that are not in the sub-processor register (the register's active
    /// sub-processors are added per client): each is told of a rectification, erasure or restriction (Art. 19).
    /// </summary>
    public List<string> Recipients { get; set; } = [];
}
