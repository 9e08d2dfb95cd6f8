using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Sqlite
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
