using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ClientTeamAndKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "PasswordHash",
                table: "ClientUsers",
                type: "TEXT",
                maxLength: 200,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT");

            migrationBuilder.AddColumn<int>(
                name: "FailedSignIns",
                table: "ClientUsers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "InvitationExpiresAt",
                table: "ClientUsers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "InvitationHash",
                table: "ClientUsers",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "InvitedBy",
                table: "ClientUsers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LockedUntil",
                table: "ClientUsers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Lockouts",
                table: "ClientUsers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "RemovedAt",
                table: "ClientUsers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RemovedBy",
                table: "ClientUsers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "TotpLastStep",
                table: "ClientUsers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "TotpPendingSealed",
                table: "ClientUsers",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "TotpSecretSealed",
                table: "ClientUsers",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "KeysDestroyedBefore",
                table: "AuditCheckpoints",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "CreatedBy",
                table: "ApiKeys",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ExpiresAt",
                table: "ApiKeys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastUsedAt",
                table: "ApiKeys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RevokedBy",
                table: "ApiKeys",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Scopes",
                table: "ApiKeys",
                type: "TEXT",
                maxLength: 200,
                nullable: false,
                defaultValue: "contacts:read,contacts:write,requests,widgets,export,compliance");

            migrationBuilder.CreateTable(
                name: "ClientSessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TokenHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClientSessions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PrivilegedCredentials",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    HolderStaffId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SecretSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    IssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    IssuedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    RotatedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReviewedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReviewedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    RevealedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevealedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    RotationDue = table.Column<bool>(type: "INTEGER", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedBy = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PrivilegedCredentials", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ClientUsers_InvitationHash",
                table: "ClientUsers",
                column: "InvitationHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ClientSessions_TokenHash",
                table: "ClientSessions",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ClientSessions_UserId",
                table: "ClientSessions",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ClientSessions");

            migrationBuilder.DropTable(
                name: "PrivilegedCredentials");

            migrationBuilder.DropIndex(
                name: "IX_ClientUsers_InvitationHash",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "FailedSignIns",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "InvitationExpiresAt",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "InvitationHash",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "InvitedBy",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "LockedUntil",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "Lockouts",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "RemovedAt",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "RemovedBy",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "TotpLastStep",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "TotpPendingSealed",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "TotpSecretSealed",
                table: "ClientUsers");

            migrationBuilder.DropColumn(
                name: "KeysDestroyedBefore",
                table: "AuditCheckpoints");

            migrationBuilder.DropColumn(
                name: "CreatedBy",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "ExpiresAt",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "LastUsedAt",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "RevokedBy",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "Scopes",
                table: "ApiKeys");

            migrationBuilder.AlterColumn<string>(
                name: "PasswordHash",
                table: "ClientUsers",
                type: "TEXT",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 200,
                oldNullable: true);
        }
    }
}
