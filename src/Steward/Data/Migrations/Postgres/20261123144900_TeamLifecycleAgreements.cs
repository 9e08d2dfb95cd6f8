using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TeamLifecycleAgreements : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ExportFreeCount",
                table: "DpaTerms",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "PostTerminationDays",
                table: "DpaTerms",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RestoreDays",
                table: "DpaTerms",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "DeletedAt",
                table: "Contacts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CancelledAt",
                table: "Clients",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "PurgeDueAt",
                table: "Clients",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "PurgedAt",
                table: "Clients",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TerminationChoice",
                table: "Clients",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "PasswordHash",
                table: "ClientUsers",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AddColumn<int>(
                name: "FailedSignIns",
                table: "ClientUsers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "InvitationExpiresAt",
                table: "ClientUsers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "InvitationHash",
                table: "ClientUsers",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "InvitedBy",
                table: "ClientUsers",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LockedUntil",
                table: "ClientUsers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Lockouts",
                table: "ClientUsers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RemovedAt",
                table: "ClientUsers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RemovedBy",
                table: "ClientUsers",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "TotpLastStep",
                table: "ClientUsers",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "TotpPendingSealed",
                table: "ClientUsers",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "TotpSecretSealed",
                table: "ClientUsers",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "KeysDestroyedBefore",
                table: "AuditCheckpoints",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "CreatedBy",
                table: "ApiKeys",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ExpiresAt",
                table: "ApiKeys",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LastUsedAt",
                table: "ApiKeys",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RevokedBy",
                table: "ApiKeys",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Scopes",
                table: "ApiKeys",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "contacts:read,contacts:write,requests,widgets,export,compliance");

            migrationBuilder.AddColumn<bool>(
                name: "LawDriven",
                table: "Agreements",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "PublishedBy",
                table: "Agreements",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Rationale",
                table: "Agreements",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AlterColumn<Guid>(
                name: "UserId",
                table: "Acceptances",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.AddColumn<string>(
                name: "Evidence",
                table: "Acceptances",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RecordedBy",
                table: "Acceptances",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AgreementNotice",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgreementId = table.Column<Guid>(type: "uuid", nullable: false),
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgreementNotice", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AgreementNotice_Agreements_AgreementId",
                        column: x => x.AgreementId,
                        principalTable: "Agreements",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ClientSecurityPolicy",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    FileName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ContentSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    UploadedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReviewDueAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReviewedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ReviewedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Outcome = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    Notes = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    LastAlertAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClientSecurityPolicy", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ClientSessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    TokenHash = table.Column<byte[]>(type: "bytea", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastSeenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EndedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClientSessions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Disclosure",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    Recipient = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Basis = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    Reference = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    DataDescription = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    ClientPreNotified = table.Column<bool>(type: "boolean", nullable: true),
                    NoNoticeReason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    DisclosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RecordedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Disclosure", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Measure",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Key = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Current = table.Column<bool>(type: "boolean", nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Category = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Source = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Owner = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    ProvedBy = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    EvidenceKind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    Evidence = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    EvidenceAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EvidenceBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ReviewDueAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ChangedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ChangedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Rationale = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    LastAlertAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Measure", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PrivilegedCredentials",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    HolderStaffId = table.Column<Guid>(type: "uuid", nullable: true),
                    SecretSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    IssuedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    IssuedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    RotatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ReviewedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ReviewedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    RevealedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RevealedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    RotationDue = table.Column<bool>(type: "boolean", nullable: false),
                    RevokedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RevokedBy = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PrivilegedCredentials", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ReturnExports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Format = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    Contacts = table.Column<int>(type: "integer", nullable: false),
                    Billable = table.Column<bool>(type: "boolean", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReturnExports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "VulnerabilityReport",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SummarySealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    DetailsSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    ContactSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Severity = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    Note = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VulnerabilityReport", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Contacts_DeletedAt",
                table: "Contacts",
                column: "DeletedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Clients_Status_PurgeDueAt",
                table: "Clients",
                columns: new[] { "Status", "PurgeDueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ClientUsers_InvitationHash",
                table: "ClientUsers",
                column: "InvitationHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AgreementNotice_AgreementId",
                table: "AgreementNotice",
                column: "AgreementId");

            migrationBuilder.CreateIndex(
                name: "IX_AgreementNotice_ClientId_AgreementId",
                table: "AgreementNotice",
                columns: new[] { "ClientId", "AgreementId" });

            migrationBuilder.CreateIndex(
                name: "IX_ClientSecurityPolicy_ClientId",
                table: "ClientSecurityPolicy",
                column: "ClientId");

            migrationBuilder.CreateIndex(
                name: "IX_ClientSecurityPolicy_ReviewedAt_ReviewDueAt",
                table: "ClientSecurityPolicy",
                columns: new[] { "ReviewedAt", "ReviewDueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ClientSessions_TokenHash",
                table: "ClientSessions",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ClientSessions_UserId",
                table: "ClientSessions",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_Disclosure_ClientId",
                table: "Disclosure",
                column: "ClientId");

            migrationBuilder.CreateIndex(
                name: "IX_Measure_Current_ReviewDueAt",
                table: "Measure",
                columns: new[] { "Current", "ReviewDueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Measure_Key_Version",
                table: "Measure",
                columns: new[] { "Key", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ReturnExports_ClientId_Number",
                table: "ReturnExports",
                columns: new[] { "ClientId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VulnerabilityReport_Status",
                table: "VulnerabilityReport",
                column: "Status");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AgreementNotice");

            migrationBuilder.DropTable(
                name: "ClientSecurityPolicy");

            migrationBuilder.DropTable(
                name: "ClientSessions");

            migrationBuilder.DropTable(
                name: "Disclosure");

            migrationBuilder.DropTable(
                name: "Measure");

            migrationBuilder.DropTable(
                name: "PrivilegedCredentials");

            migrationBuilder.DropTable(
                name: "ReturnExports");

            migrationBuilder.DropTable(
                name: "VulnerabilityReport");

            migrationBuilder.DropIndex(
                name: "IX_Contacts_DeletedAt",
                table: "Contacts");

            migrationBuilder.DropIndex(
                name: "IX_Clients_Status_PurgeDueAt",
                table: "Clients");

            migrationBuilder.DropIndex(
                name: "IX_ClientUsers_InvitationHash",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "ExportFreeCount",
                table: "DpaTerms");

            migrationBuilder.DropColumn(
                name: "PostTerminationDays",
                table: "DpaTerms");

            migrationBuilder.DropColumn(
                name: "RestoreDays",
                table: "DpaTerms");

            migrationBuilder.DropColumn(
                name: "DeletedAt",
                table: "Contacts");

            migrationBuilder.DropColumn(
                name: "CancelledAt",
                table: "Clients");

            migrationBuilder.DropColumn(
                name: "PurgeDueAt",
                table: "Clients");

            migrationBuilder.DropColumn(
                name: "PurgedAt",
                table: "Clients");

            migrationBuilder.DropColumn(
                name: "TerminationChoice",
                table: "Clients");

            migrationBuilder.DropColumn(
                name: "FailedSignIns",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "InvitationExpiresAt",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "InvitationHash",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "InvitedBy",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "LockedUntil",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "Lockouts",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "RemovedAt",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "RemovedBy",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "TotpLastStep",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "TotpPendingSealed",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "TotpSecretSealed",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "KeysDestroyedBefore",
                table: "AuditCheckpoints");

            migrationBuilder.DropColumn(
                name: "CreatedBy",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "ExpiresAt",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "LastUsedAt",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "RevokedBy",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "Scopes",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "LawDriven",
                table: "Agreements");

            migrationBuilder.DropColumn(
                name: "PublishedBy",
                table: "Agreements");

            migrationBuilder.DropColumn(
                name: "Rationale",
                table: "Agreements");

            migrationBuilder.DropColumn(
                name: "Evidence",
                table: "Acceptances");

            migrationBuilder.DropColumn(
                name: "RecordedBy",
                table: "Acceptances");

            migrationBuilder.AlterColumn<string>(
                name: "PasswordHash",
                table: "ClientUsers",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character varying(200)",
                oldMaxLength: 200,
                oldNullable: true);

            migrationBuilder.AlterColumn<Guid>(
                name: "UserId",
                table: "Acceptances",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);
        }
    }
}
