using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "PostTerminationDays",
                table: "DpaTerms",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RestoreDays",
                table: "DpaTerms",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "DeletedAt",
                table: "Contacts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "CancelledAt",
                table: "Clients",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PurgeDueAt",
                table: "Clients",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PurgedAt",
                table: "Clients",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TerminationChoice",
                table: "Clients",
                type: "TEXT",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "PasswordHash",
                table: "ClientUsers",
                type: "TEXT",
                maxLength: 200,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT");

            migrationBuilder.AddColumn<int>(
                name: "FailedSignIns",
                table: "ClientUsers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "InvitationExpiresAt",
                table: "ClientUsers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "InvitationHash",
                table: "ClientUsers",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "InvitedBy",
                table: "ClientUsers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LockedUntil",
                table: "ClientUsers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Lockouts",
                table: "ClientUsers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "RemovedAt",
                table: "ClientUsers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RemovedBy",
                table: "ClientUsers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "TotpLastStep",
                table: "ClientUsers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "TotpPendingSealed",
                table: "ClientUsers",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "TotpSecretSealed",
                table: "ClientUsers",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "KeysDestroyedBefore",
                table: "AuditCheckpoints",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "CreatedBy",
                table: "ApiKeys",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ExpiresAt",
                table: "ApiKeys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastUsedAt",
                table: "ApiKeys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RevokedBy",
                table: "ApiKeys",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Scopes",
                table: "ApiKeys",
                type: "TEXT",
                maxLength: 200,
                nullable: false,
                defaultValue: "contacts:read,contacts:write,requests,widgets,export,compliance");

            migrationBuilder.AddColumn<bool>(
                name: "LawDriven",
                table: "Agreements",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "PublishedBy",
                table: "Agreements",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Rationale",
                table: "Agreements",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AlterColumn<Guid>(
                name: "UserId",
                table: "Acceptances",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "TEXT");

            migrationBuilder.AddColumn<string>(
                name: "Evidence",
                table: "Acceptances",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RecordedBy",
                table: "Acceptances",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AgreementNotice",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgreementId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: false)
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
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ContentSealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    UploadedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ReviewDueAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ReviewedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReviewedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    Notes = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    LastAlertAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClientSecurityPolicy", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ClientSessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TokenHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClientSessions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Disclosure",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Recipient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Basis = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    DataDescription = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    ClientPreNotified = table.Column<bool>(type: "INTEGER", nullable: true),
                    NoNoticeReason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    DisclosedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Disclosure", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Measure",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Current = table.Column<bool>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Owner = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    ProvedBy = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    EvidenceKind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    Evidence = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    EvidenceAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EvidenceBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ReviewDueAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ChangedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ChangedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Rationale = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    LastAlertAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Measure", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PrivilegedCredentials",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    HolderStaffId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SecretSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    IssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    IssuedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    RotatedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReviewedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReviewedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    RevealedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevealedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    RotationDue = table.Column<bool>(type: "INTEGER", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedBy = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PrivilegedCredentials", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ReturnExports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    Format = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Contacts = table.Column<int>(type: "INTEGER", nullable: false),
                    Billable = table.Column<bool>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReturnExports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "VulnerabilityReport",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SummarySealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    DetailsSealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ContactSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Severity = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
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
                type: "TEXT",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 200,
                oldNullable: true);

            migrationBuilder.AlterColumn<Guid>(
                name: "UserId",
                table: "Acceptances",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "TEXT",
                oldNullable: true);
        }
    }
}
