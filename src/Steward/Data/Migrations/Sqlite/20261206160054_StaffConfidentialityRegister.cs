using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class StaffConfidentialityRegister : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Engagement",
                table: "StaffMembers",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "employee");

            migrationBuilder.AddColumn<long>(
                name: "GuidelinesAcknowledgedAt",
                table: "StaffMembers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "GuidelinesVersion",
                table: "StaffMembers",
                type: "TEXT",
                maxLength: 50,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Engagement",
                table: "StaffMembers");

            migrationBuilder.DropColumn(
                name: "GuidelinesAcknowledgedAt",
                table: "StaffMembers");

            migrationBuilder.DropColumn(
                name: "GuidelinesVersion",
                table: "StaffMembers");
        }
    }
}
