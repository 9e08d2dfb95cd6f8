using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SubjectRequests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
                name: "SubjectRequestSteps",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
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
                    IdentitiesSealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    InstructionSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    ExtensionReasonSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    DeclineReasonSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    Billable = table.Column<bool>(type: "INTEGER", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FirstDueOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    DueOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    ExtendedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SubjectRequests", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RequestVerifications_ClientId_RequestId",
                table: "RequestVerifications",
                columns: new[] { "ClientId", "RequestId" });

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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RequestSettings");

            migrationBuilder.DropTable(
                name: "RequestVerifications");

            migrationBuilder.DropTable(
                name: "SubjectRequestSteps");

            migrationBuilder.DropTable(
                name: "SubjectRequests");
        }
    }
}
