using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SubjectRights : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "ChangesSealed",
                table: "SubjectRequests",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RestrictedAt",
                table: "Contacts",
                type: "INTEGER",
                nullable: true);

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

            migrationBuilder.CreateIndex(
                name: "IX_ContactRestrictions_ClientId_ContactId",
                table: "ContactRestrictions",
                columns: new[] { "ClientId", "ContactId" });

            migrationBuilder.CreateIndex(
                name: "IX_PropagationTasks_ClientId_RequestId",
                table: "PropagationTasks",
                columns: new[] { "ClientId", "RequestId" });

            migrationBuilder.CreateIndex(
                name: "IX_PropagationTasks_Status_CreatedAt",
                table: "PropagationTasks",
                columns: new[] { "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RestrictedReads_ClientId_ContactId",
                table: "RestrictedReads",
                columns: new[] { "ClientId", "ContactId" });

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
                name: "ContactRestrictions");

            migrationBuilder.DropTable(
                name: "PropagationTasks");

            migrationBuilder.DropTable(
                name: "RestrictedReads");

            migrationBuilder.DropTable(
                name: "Suppressions");

            migrationBuilder.DropColumn(
                name: "ChangesSealed",
                table: "SubjectRequests");

            migrationBuilder.DropColumn(
                name: "RestrictedAt",
                table: "Contacts");
        }
    }
}
