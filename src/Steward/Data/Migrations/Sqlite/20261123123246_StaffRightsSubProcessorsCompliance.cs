using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class StaffRightsSubProcessorsCompliance : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "RestrictedAt",
                table: "Contacts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Evidence",
                table: "ConsentEvents",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Reason",
                table: "AuditEvents",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AccessGrants",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    StaffId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Rights = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Purpose = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RequestedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CeoApprovedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    CeoApprovedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DpoApprovedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    DpoApprovedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ActiveFrom = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    NextReviewAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReviewRemindedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccessGrants", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ActionApprovals",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    StaffId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Purpose = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    ApprovedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    ApprovedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UsedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ActionApprovals", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AffectedClient",
                columns: table => new
                {
                    BreachId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DueAt = table.Column<long>(type: "INTEGER", nullable: true),
                    NotifiedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LateReason = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ReminderStage = table.Column<int>(type: "INTEGER", nullable: false),
                    CommsApprovalKind = table.Column<string>(type: "TEXT", maxLength: 30, nullable: true),
                    CommsApprovalReference = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    CommsApprovedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AffectedClient", x => new { x.BreachId, x.ClientId });
                });

            migrationBuilder.CreateTable(
                name: "AuditCheckpoints",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Seq = table.Column<long>(type: "INTEGER", nullable: false),
                    Hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    RemovedBefore = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditCheckpoints", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Breach",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    DetectedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AwareAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AwareBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    AwareReason = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    OccurredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Nature = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Scope = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    SubjectCategories = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ApproxSubjects = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    RecordCategories = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ApproxRecords = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Consequences = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    MeasuresTaken = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    MeasuresProposed = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Risk = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    RiskReasoning = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Exemption = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ExemptionAlgorithm = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ExemptionKeyRecord = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ProcessorIsController = table.Column<bool>(type: "INTEGER", nullable: false),
                    AuthorityNotifiedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AuthorityLateReason = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    AuthorityReminderStage = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Breach", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "BreachNotice",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    BreachId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Audience = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Phase = table.Column<int>(type: "INTEGER", nullable: false),
                    Content = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SentBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    LateReason = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BreachNotice", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "BreachStep",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    BreachId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Step = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    By = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BreachStep", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ChangeNotices",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ChangeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OutboxMessageId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChangeNotices", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ClientPurpose",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Instruction = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    RegisteredAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClientPurpose", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ContactRestrictions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ContactId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Ground = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LiftNoticeAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LiftableAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LiftedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ContactRestrictions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DpaTerms",
                columns: table => new
                {
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    BreachNotifyHours = table.Column<int>(type: "INTEGER", nullable: true),
                    NotifyThreatened = table.Column<bool>(type: "INTEGER", nullable: true),
                    ExternalCommsNeedApproval = table.Column<bool>(type: "INTEGER", nullable: true),
                    OwnStatisticsAllowed = table.Column<bool>(type: "INTEGER", nullable: true),
                    AuditIntervalMonths = table.Column<int>(type: "INTEGER", nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DpaTerms", x => x.ClientId);
                });

            migrationBuilder.CreateTable(
                name: "Duty",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Owner = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    IntervalDays = table.Column<int>(type: "INTEGER", nullable: true),
                    DueAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CompletedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    LastAlertAt = table.Column<long>(type: "INTEGER", nullable: true),
                    BreachId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Duty", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ErasureRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ContactId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SubProcessorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    EmailSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DueAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ConfirmedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EscalatedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    VendorJobId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    LastResponse = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    ConfirmationHash = table.Column<byte[]>(type: "BLOB", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ErasureRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Inspection",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    AuditorFirm = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    NdaReference = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Allegation = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    PeriodFrom = table.Column<long>(type: "INTEGER", nullable: false),
                    PeriodTo = table.Column<long>(type: "INTEGER", nullable: false),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Inspection", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "InstructionFlag",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Instruction = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    PurposeCode = table.Column<string>(type: "TEXT", maxLength: 60, nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    FlaggedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    FlaggedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ResolvedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Resolution = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InstructionFlag", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Objections",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ChangeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    ObjectedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    Answer = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    AnsweredAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Objections", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OpenDsrCallbacks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestStatus = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    UrlSealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    BodySealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DeliveredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OpenDsrCallbacks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OpenDsrRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SubjectRequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ApiVersion = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    Regulation = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    BodySha256 = table.Column<byte[]>(type: "BLOB", nullable: false),
                    DedupIndex = table.Column<byte[]>(type: "BLOB", nullable: false),
                    RequestSealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    CallbackUrlsSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    ResultsExportId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ResultsUrlSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    ResultsCount = table.Column<int>(type: "INTEGER", nullable: true),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OpenDsrRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PropagationTasks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ContactId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Action = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Recipient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DoneAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PropagationTasks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RecordVersion",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Content = table.Column<string>(type: "TEXT", nullable: false),
                    GeneratedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecordVersion", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RecoveryCodes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    StaffId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    UsedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecoveryCodes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RequestExports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ContactId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Format = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    PackageSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    Copy = table.Column<int>(type: "INTEGER", nullable: false),
                    Records = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DownloadedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RequestExports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RequestSettings",
                columns: table => new
                {
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Mode = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    AssistBillableThreshold = table.Column<int>(type: "INTEGER", nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RequestSettings", x => x.ClientId);
                });

            migrationBuilder.CreateTable(
                name: "RequestVerifications",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    EmailOrdinal = table.Column<int>(type: "INTEGER", nullable: false),
                    CodeHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    VerifiedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RequestVerifications", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RestrictedReads",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ContactId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    ActorType = table.Column<string>(type: "TEXT", nullable: false),
                    ActorId = table.Column<string>(type: "TEXT", nullable: true),
                    Action = table.Column<string>(type: "TEXT", nullable: false),
                    ReasonSealed = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RestrictedReads", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SetupLinks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UsedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SetupLinks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "StaffMembers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    LeadPm = table.Column<bool>(type: "INTEGER", nullable: false),
                    NameSealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    EmailSealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    EmailIndex = table.Column<byte[]>(type: "BLOB", nullable: false),
                    PasswordHash = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    TotpSecretSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    TotpLastStep = table.Column<long>(type: "INTEGER", nullable: true),
                    FailedSignIns = table.Column<int>(type: "INTEGER", nullable: false),
                    Lockouts = table.Column<int>(type: "INTEGER", nullable: false),
                    LockedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    InvitationHash = table.Column<byte[]>(type: "BLOB", nullable: true),
                    InvitationExpiresAt = table.Column<long>(type: "INTEGER", nullable: true),
                    TrainingCompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ConfidentialityUndertakenAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DpaDutiesBriefedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DisabledAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DisabledBy = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StaffMembers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "StaffSessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    StaffId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TokenHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StaffSessions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SubProcessorChanges",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    SubProcessorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReplacesId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ProposedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EffectiveAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    TookEffectAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SubProcessorChanges", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SubProcessors",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Website = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Purpose = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    DataCategories = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Countries = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ContactEmail = table.Column<string>(type: "TEXT", maxLength: 254, nullable: true),
                    DpaReference = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    EquivalentTerms = table.Column<bool>(type: "INTEGER", nullable: false),
                    DueDiligenceAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Certifications = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    LastReviewedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReviewReminderAt = table.Column<long>(type: "INTEGER", nullable: true),
                    NeedsConfirmation = table.Column<bool>(type: "INTEGER", nullable: false),
                    DpfCertified = table.Column<bool>(type: "INTEGER", nullable: false),
                    SccsSignedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    SccsModule = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    TransferAssessment = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Connector = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ConnectorSpec = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ActivatedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SubProcessors", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SubjectRequestSteps",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    FromStatus = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    ToStatus = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ActorType = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ActorId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SubjectRequestSteps", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SubjectRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ContactId = table.Column<Guid>(type: "TEXT", nullable: true),
                    HandledBy = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    IdentitiesSealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    InstructionSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    ExtensionReasonSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    DeclineReasonSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    ChangesSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    Billable = table.Column<bool>(type: "INTEGER", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FirstDueOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    DueOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    ExtendedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Certificate = table.Column<string>(type: "TEXT", nullable: true),
                    StepCount = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SubjectRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Suppressions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Index = table.Column<byte[]>(type: "BLOB", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Suppressions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TransferInstructions",
                columns: table => new
                {
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    Mechanism = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TransferInstructions", x => new { x.ClientId, x.Country, x.Mechanism });
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccessGrants_ClientId",
                table: "AccessGrants",
                column: "ClientId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessGrants_StaffId_ClientId",
                table: "AccessGrants",
                columns: new[] { "StaffId", "ClientId" });

            migrationBuilder.CreateIndex(
                name: "IX_ActionApprovals_StaffId",
                table: "ActionApprovals",
                column: "StaffId");

            migrationBuilder.CreateIndex(
                name: "IX_AffectedClient_ClientId",
                table: "AffectedClient",
                column: "ClientId");

            migrationBuilder.CreateIndex(
                name: "IX_Breach_DetectedAt",
                table: "Breach",
                column: "DetectedAt");

            migrationBuilder.CreateIndex(
                name: "IX_BreachNotice_BreachId",
                table: "BreachNotice",
                column: "BreachId");

            migrationBuilder.CreateIndex(
                name: "IX_BreachStep_BreachId",
                table: "BreachStep",
                column: "BreachId");

            migrationBuilder.CreateIndex(
                name: "IX_ChangeNotices_ChangeId_ClientId",
                table: "ChangeNotices",
                columns: new[] { "ChangeId", "ClientId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ChangeNotices_ClientId",
                table: "ChangeNotices",
                column: "ClientId");

            migrationBuilder.CreateIndex(
                name: "IX_ClientPurpose_ClientId_Code",
                table: "ClientPurpose",
                columns: new[] { "ClientId", "Code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ContactRestrictions_ClientId_ContactId",
                table: "ContactRestrictions",
                columns: new[] { "ClientId", "ContactId" });

            migrationBuilder.CreateIndex(
                name: "IX_Duty_CompletedAt_DueAt",
                table: "Duty",
                columns: new[] { "CompletedAt", "DueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ErasureRequests_ClientId_ContactId",
                table: "ErasureRequests",
                columns: new[] { "ClientId", "ContactId" });

            migrationBuilder.CreateIndex(
                name: "IX_ErasureRequests_ConfirmationHash",
                table: "ErasureRequests",
                column: "ConfirmationHash");

            migrationBuilder.CreateIndex(
                name: "IX_ErasureRequests_Status_NextAttemptAt",
                table: "ErasureRequests",
                columns: new[] { "Status", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Inspection_ClientId_RequestedAt",
                table: "Inspection",
                columns: new[] { "ClientId", "RequestedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_InstructionFlag_ClientId",
                table: "InstructionFlag",
                column: "ClientId");

            migrationBuilder.CreateIndex(
                name: "IX_Objections_ChangeId_ClientId",
                table: "Objections",
                columns: new[] { "ChangeId", "ClientId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OpenDsrCallbacks_RequestId",
                table: "OpenDsrCallbacks",
                column: "RequestId");

            migrationBuilder.CreateIndex(
                name: "IX_OpenDsrCallbacks_Status_NextAttemptAt",
                table: "OpenDsrCallbacks",
                columns: new[] { "Status", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_OpenDsrRequests_ClientId_DedupIndex",
                table: "OpenDsrRequests",
                columns: new[] { "ClientId", "DedupIndex" });

            migrationBuilder.CreateIndex(
                name: "IX_OpenDsrRequests_ClientId_SubjectRequestId",
                table: "OpenDsrRequests",
                columns: new[] { "ClientId", "SubjectRequestId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PropagationTasks_ClientId_RequestId",
                table: "PropagationTasks",
                columns: new[] { "ClientId", "RequestId" });

            migrationBuilder.CreateIndex(
                name: "IX_PropagationTasks_Status_CreatedAt",
                table: "PropagationTasks",
                columns: new[] { "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RecordVersion_Kind_Version",
                table: "RecordVersion",
                columns: new[] { "Kind", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RecoveryCodes_StaffId_Hash",
                table: "RecoveryCodes",
                columns: new[] { "StaffId", "Hash" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RequestExports_ClientId_ContactId",
                table: "RequestExports",
                columns: new[] { "ClientId", "ContactId" });

            migrationBuilder.CreateIndex(
                name: "IX_RequestVerifications_ClientId_RequestId",
                table: "RequestVerifications",
                columns: new[] { "ClientId", "RequestId" });

            migrationBuilder.CreateIndex(
                name: "IX_RestrictedReads_ClientId_ContactId",
                table: "RestrictedReads",
                columns: new[] { "ClientId", "ContactId" });

            migrationBuilder.CreateIndex(
                name: "IX_SetupLinks_Hash",
                table: "SetupLinks",
                column: "Hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StaffMembers_EmailIndex",
                table: "StaffMembers",
                column: "EmailIndex",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StaffMembers_InvitationHash",
                table: "StaffMembers",
                column: "InvitationHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StaffSessions_StaffId",
                table: "StaffSessions",
                column: "StaffId");

            migrationBuilder.CreateIndex(
                name: "IX_StaffSessions_TokenHash",
                table: "StaffSessions",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SubProcessorChanges_Status_EffectiveAt",
                table: "SubProcessorChanges",
                columns: new[] { "Status", "EffectiveAt" });

            migrationBuilder.CreateIndex(
                name: "IX_SubProcessors_Name",
                table: "SubProcessors",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SubjectRequestSteps_ClientId_RequestId",
                table: "SubjectRequestSteps",
                columns: new[] { "ClientId", "RequestId" });

            migrationBuilder.CreateIndex(
                name: "IX_SubjectRequests_ClientId_ContactId",
                table: "SubjectRequests",
                columns: new[] { "ClientId", "ContactId" });

            migrationBuilder.CreateIndex(
                name: "IX_SubjectRequests_ClientId_DueOn",
                table: "SubjectRequests",
                columns: new[] { "ClientId", "DueOn" });

            migrationBuilder.CreateIndex(
                name: "IX_Suppressions_ClientId_Kind_Index",
                table: "Suppressions",
                columns: new[] { "ClientId", "Kind", "Index" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccessGrants");

            migrationBuilder.DropTable(
                name: "ActionApprovals");

            migrationBuilder.DropTable(
                name: "AffectedClient");

            migrationBuilder.DropTable(
                name: "AuditCheckpoints");

            migrationBuilder.DropTable(
                name: "Breach");

            migrationBuilder.DropTable(
                name: "BreachNotice");

            migrationBuilder.DropTable(
                name: "BreachStep");

            migrationBuilder.DropTable(
                name: "ChangeNotices");

            migrationBuilder.DropTable(
                name: "ClientPurpose");

            migrationBuilder.DropTable(
                name: "ContactRestrictions");

            migrationBuilder.DropTable(
                name: "DpaTerms");

            migrationBuilder.DropTable(
                name: "Duty");

            migrationBuilder.DropTable(
                name: "ErasureRequests");

            migrationBuilder.DropTable(
                name: "Inspection");

            migrationBuilder.DropTable(
                name: "InstructionFlag");

            migrationBuilder.DropTable(
                name: "Objections");

            migrationBuilder.DropTable(
                name: "OpenDsrCallbacks");

            migrationBuilder.DropTable(
                name: "OpenDsrRequests");

            migrationBuilder.DropTable(
                name: "PropagationTasks");

            migrationBuilder.DropTable(
                name: "RecordVersion");

            migrationBuilder.DropTable(
                name: "RecoveryCodes");

            migrationBuilder.DropTable(
                name: "RequestExports");

            migrationBuilder.DropTable(
                name: "RequestSettings");

            migrationBuilder.DropTable(
                name: "RequestVerifications");

            migrationBuilder.DropTable(
                name: "RestrictedReads");

            migrationBuilder.DropTable(
                name: "SetupLinks");

            migrationBuilder.DropTable(
                name: "StaffMembers");

            migrationBuilder.DropTable(
                name: "StaffSessions");

            migrationBuilder.DropTable(
                name: "SubProcessorChanges");

            migrationBuilder.DropTable(
                name: "SubProcessors");

            migrationBuilder.DropTable(
                name: "SubjectRequestSteps");

            migrationBuilder.DropTable(
                name: "SubjectRequests");

            migrationBuilder.DropTable(
                name: "Suppressions");

            migrationBuilder.DropTable(
                name: "TransferInstructions");

            migrationBuilder.DropColumn(
                name: "RestrictedAt",
                table: "Contacts");

            migrationBuilder.DropColumn(
                name: "Evidence",
                table: "ConsentEvents");

            migrationBuilder.DropColumn(
                name: "Reason",
                table: "AuditEvents");
        }
    }
}
