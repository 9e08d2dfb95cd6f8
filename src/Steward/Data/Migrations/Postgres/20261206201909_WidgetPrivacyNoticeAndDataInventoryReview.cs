using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class WidgetPrivacyNoticeAndDataInventoryReview : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PrivacyNoticeUrl",
                table: "WidgetVersions",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "DataInventoryReview",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    ReviewedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReviewedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Confirmed = table.Column<bool>(type: "boolean", nullable: false),
                    Corrections = table.Column<string>(type: "character varying(120000)", maxLength: 120000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataInventoryReview", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DataInventoryReview_ClientId_ReviewedAt",
                table: "DataInventoryReview",
                columns: new[] { "ClientId", "ReviewedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DataInventoryReview");

            migrationBuilder.DropColumn(
                name: "PrivacyNoticeUrl",
                table: "WidgetVersions");
        }
    }
}
