using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Sqlite
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
