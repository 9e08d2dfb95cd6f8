using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SubProcessors : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ChangeNotices",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    ChangeId = table.Column<Guid>(type: "uuid", nullable: false),
                    OutboxMessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChangeNotices", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ErasureRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    ContactId = table.Column<Guid>(type: "uuid", nullable: false),
                    SubProcessorId = table.Column<Guid>(type: "uuid", nullable: false),
                    EmailSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    NextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DueAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ConfirmedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EscalatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    VendorJobId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    LastResponse = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    ConfirmationHash = table.Column<byte[]>(type: "bytea", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ErasureRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Objections",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    ChangeId = table.Column<Guid>(type: "uuid", nullable: false),
                    Reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    ObjectedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Outcome = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    Answer = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    AnsweredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Objections", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SubProcessorChanges",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SubProcessorId = table.Column<Guid>(type: "uuid", nullable: false),
                    ReplacesId = table.Column<Guid>(type: "uuid", nullable: true),
                    ProposedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EffectiveAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    TookEffectAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SubProcessorChanges", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SubProcessors",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Website = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Purpose = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    DataCategories = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Countries = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ContactEmail = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    DpaReference = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    EquivalentTerms = table.Column<bool>(type: "boolean", nullable: false),
                    DueDiligenceAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Certifications = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    LastReviewedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ReviewReminderAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    NeedsConfirmation = table.Column<bool>(type: "boolean", nullable: false),
                    DpfCertified = table.Column<bool>(type: "boolean", nullable: false),
                    SccsSignedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    SccsModule = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    TransferAssessment = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    Connector = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ConnectorSpec = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ActivatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SubProcessors", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TransferInstructions",
                columns: table => new
                {
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    Country = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Mechanism = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    RecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TransferInstructions", x => new { x.ClientId, x.Country, x.Mechanism });
                });

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
                name: "IX_Objections_ChangeId_ClientId",
                table: "Objections",
                columns: new[] { "ChangeId", "ClientId" },
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChangeNotices");

            migrationBuilder.DropTable(
                name: "ErasureRequests");

            migrationBuilder.DropTable(
                name: "Objections");

            migrationBuilder.DropTable(
                name: "SubProcessorChanges");

            migrationBuilder.DropTable(
                name: "SubProcessors");

            migrationBuilder.DropTable(
                name: "TransferInstructions");
        }
    }
}
