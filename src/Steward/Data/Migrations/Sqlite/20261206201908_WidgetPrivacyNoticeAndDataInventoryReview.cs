using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "DataInventoryReview",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReviewedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ReviewedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Confirmed = table.Column<bool>(type: "INTEGER", nullable: false),
                    Corrections = table.Column<string>(type: "TEXT", maxLength: 120000, nullable: false)
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
