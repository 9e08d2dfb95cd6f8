using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ConsentEvidence : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Evidence",
                table: "ConsentEvents",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Evidence",
                table: "ConsentEvents");
        }
    }
}
