using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AgreementsAndMeasures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
                name: "Disclosure");

            migrationBuilder.DropTable(
                name: "Measure");

            migrationBuilder.DropTable(
                name: "VulnerabilityReport");

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
