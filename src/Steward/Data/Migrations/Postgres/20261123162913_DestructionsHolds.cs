using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Postgres
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    Scope = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ContactIds = table.Column<string>(type: "text", nullable: true),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    RequestedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    RequestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CeoApprovedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    CeoApprovedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DpoApprovedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    DpoApprovedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    IdentifiersSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    DestroyedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ContactsDestroyed = table.Column<int>(type: "integer", nullable: false),
                    KeysDestroyed = table.Column<long>(type: "bigint", nullable: false),
                    KeyIds = table.Column<string>(type: "text", nullable: true),
                    ScanCounts = table.Column<string>(type: "text", nullable: true),
                    Scans = table.Column<int>(type: "integer", nullable: false),
                    LastScanAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    VerifiedBy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Destructions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "LegalHolds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    ContactId = table.Column<Guid>(type: "uuid", nullable: true),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    PlacedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    PlacedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LiftedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    LiftedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LiftReason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
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
