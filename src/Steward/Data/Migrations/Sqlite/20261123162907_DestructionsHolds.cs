using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DestructionsHolds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Destructions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Scope = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ContactIds = table.Column<string>(type: "TEXT", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    RequestedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CeoApprovedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    CeoApprovedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DpoApprovedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    DpoApprovedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    IdentifiersSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    DestroyedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ContactsDestroyed = table.Column<int>(type: "INTEGER", nullable: false),
                    KeysDestroyed = table.Column<long>(type: "INTEGER", nullable: false),
                    KeyIds = table.Column<string>(type: "TEXT", nullable: true),
                    ScanCounts = table.Column<string>(type: "TEXT", nullable: true),
                    Scans = table.Column<int>(type: "INTEGER", nullable: false),
                    LastScanAt = table.Column<long>(type: "INTEGER", nullable: true),
                    VerifiedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Destructions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "LegalHolds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ContactId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    PlacedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    PlacedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LiftedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    LiftedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LiftReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LegalHolds", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Destructions_ClientId_RequestedAt",
                table: "Destructions",
                columns: new[] { "ClientId", "RequestedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Destructions_Status",
                table: "Destructions",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_LegalHolds_ClientId_LiftedAt",
                table: "LegalHolds",
                columns: new[] { "ClientId", "LiftedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Destructions");

            migrationBuilder.DropTable(
                name: "LegalHolds");
        }
    }
}
