using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ClientLifecycleTrash : Migration
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

            migrationBuilder.CreateIndex(
                name: "IX_Contacts_DeletedAt",
                table: "Contacts",
                column: "DeletedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Clients_Status_PurgeDueAt",
                table: "Clients",
                columns: new[] { "Status", "PurgeDueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ReturnExports_ClientId_Number",
                table: "ReturnExports",
                columns: new[] { "ClientId", "Number" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ReturnExports");

            migrationBuilder.DropIndex(
                name: "IX_Contacts_DeletedAt",
                table: "Contacts");

            migrationBuilder.DropIndex(
                name: "IX_Clients_Status_PurgeDueAt",
                table: "Clients");

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
        }
    }
}
