using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Compliance : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AffectedClient",
                columns: table => new
                {
                    BreachId = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    DueAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    NotifiedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LateReason = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    ReminderStage = table.Column<int>(type: "integer", nullable: false),
                    CommsApprovalKind = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: true),
                    CommsApprovalReference = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    CommsApprovedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AffectedClient", x => new { x.BreachId, x.ClientId });
                });

            migrationBuilder.CreateTable(
                name: "Breach",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    DetectedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    AwareAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AwareBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    AwareReason = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    OccurredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Nature = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Scope = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    SubjectCategories = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    ApproxSubjects = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    RecordCategories = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    ApproxRecords = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Consequences = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    MeasuresTaken = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    MeasuresProposed = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Risk = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    RiskReasoning = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Exemption = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ExemptionAlgorithm = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ExemptionKeyRecord = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    ProcessorIsController = table.Column<bool>(type: "boolean", nullable: false),
                    AuthorityNotifiedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AuthorityLateReason = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    AuthorityReminderStage = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Breach", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "BreachNotice",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    BreachId = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: true),
                    Audience = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Phase = table.Column<int>(type: "integer", nullable: false),
                    Content = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SentBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    LateReason = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Reference = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BreachNotice", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "BreachStep",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    BreachId = table.Column<Guid>(type: "uuid", nullable: false),
                    Step = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    By = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Note = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BreachStep", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ClientPurpose",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    Code = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    Description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Instruction = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    RegisteredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClientPurpose", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DpaTerms",
                columns: table => new
                {
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    BreachNotifyHours = table.Column<int>(type: "integer", nullable: true),
                    NotifyThreatened = table.Column<bool>(type: "boolean", nullable: true),
                    ExternalCommsNeedApproval = table.Column<bool>(type: "boolean", nullable: true),
                    OwnStatisticsAllowed = table.Column<bool>(type: "boolean", nullable: true),
                    AuditIntervalMonths = table.Column<int>(type: "integer", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DpaTerms", x => x.ClientId);
                });

            migrationBuilder.CreateTable(
                name: "Duty",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    Title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Owner = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    IntervalDays = table.Column<int>(type: "integer", nullable: true),
                    DueAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CompletedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Outcome = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    LastAlertAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    BreachId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Duty", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Inspection",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    AuditorFirm = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    NdaReference = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Allegation = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    PeriodFrom = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PeriodTo = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RequestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Inspection", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "InstructionFlag",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    Instruction = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    PurposeCode = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: true),
                    Reason = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    FlaggedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    FlaggedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ResolvedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Resolution = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InstructionFlag", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RecordVersion",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Content = table.Column<string>(type: "text", nullable: false),
                    GeneratedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecordVersion", x => x.Id);
                });

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
                name: "IX_ClientPurpose_ClientId_Code",
                table: "ClientPurpose",
                columns: new[] { "ClientId", "Code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Duty_CompletedAt_DueAt",
                table: "Duty",
                columns: new[] { "CompletedAt", "DueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Inspection_ClientId_RequestedAt",
                table: "Inspection",
                columns: new[] { "ClientId", "RequestedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_InstructionFlag_ClientId",
                table: "InstructionFlag",
                column: "ClientId");

            migrationBuilder.CreateIndex(
                name: "IX_RecordVersion_Kind_Version",
                table: "RecordVersion",
                columns: new[] { "Kind", "Version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AffectedClient");

            migrationBuilder.DropTable(
                name: "Breach");

            migrationBuilder.DropTable(
                name: "BreachNotice");

            migrationBuilder.DropTable(
                name: "BreachStep");

            migrationBuilder.DropTable(
                name: "ClientPurpose");

            migrationBuilder.DropTable(
                name: "DpaTerms");

            migrationBuilder.DropTable(
                name: "Duty");

            migrationBuilder.DropTable(
                name: "Inspection");

            migrationBuilder.DropTable(
                name: "InstructionFlag");

            migrationBuilder.DropTable(
                name: "RecordVersion");
        }
    }
}
