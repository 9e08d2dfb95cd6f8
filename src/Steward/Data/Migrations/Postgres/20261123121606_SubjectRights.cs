using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Steward.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SubjectRights : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RestrictedAt",
                table: "Contacts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ContactRestrictions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    ContactId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: true),
                    Ground = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LiftNoticeAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LiftableAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LiftedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ContactRestrictions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OpenDsrCallbacks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestStatus = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    UrlSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    BodySealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    NextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DeliveredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastError = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OpenDsrCallbacks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OpenDsrRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    SubjectRequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    ApiVersion = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    Regulation = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    BodySha256 = table.Column<byte[]>(type: "bytea", nullable: false),
                    DedupIndex = table.Column<byte[]>(type: "bytea", nullable: false),
                    RequestSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    CallbackUrlsSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    ResultsExportId = table.Column<Guid>(type: "uuid", nullable: true),
                    ResultsUrlSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    ResultsCount = table.Column<int>(type: "integer", nullable: true),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OpenDsrRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PropagationTasks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    ContactId = table.Column<Guid>(type: "uuid", nullable: true),
                    Action = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Recipient = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DoneAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PropagationTasks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RequestExports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    ContactId = table.Column<Guid>(type: "uuid", nullable: true),
                    Format = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    PackageSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    Copy = table.Column<int>(type: "integer", nullable: false),
                    Records = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DownloadedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RequestExports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RequestSettings",
                columns: table => new
                {
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    Mode = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    AssistBillableThreshold = table.Column<int>(type: "integer", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RequestSettings", x => x.ClientId);
                });

            migrationBuilder.CreateTable(
                name: "RequestVerifications",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    EmailOrdinal = table.Column<int>(type: "integer", nullable: false),
                    CodeHash = table.Column<byte[]>(type: "bytea", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    VerifiedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RequestVerifications", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RestrictedReads",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    ContactId = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ActorType = table.Column<string>(type: "text", nullable: false),
                    ActorId = table.Column<string>(type: "text", nullable: true),
                    Action = table.Column<string>(type: "text", nullable: false),
                    ReasonSealed = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RestrictedReads", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SubjectRequestSteps",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Action = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    FromStatus = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    ToStatus = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ActorType = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ActorId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SubjectRequestSteps", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SubjectRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    Type = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Source = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ContactId = table.Column<Guid>(type: "uuid", nullable: true),
                    HandledBy = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    IdentitiesSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    InstructionSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    ExtensionReasonSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    DeclineReasonSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    ChangesSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    Billable = table.Column<bool>(type: "boolean", nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FirstDueOn = table.Column<DateOnly>(type: "date", nullable: false),
                    DueOn = table.Column<DateOnly>(type: "date", nullable: false),
                    ExtendedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Certificate = table.Column<string>(type: "text", nullable: true),
                    StepCount = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SubjectRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Suppressions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    Index = table.Column<byte[]>(type: "bytea", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: true)
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
                name: "IX_OpenDsrCallbacks_RequestId",
                table: "OpenDsrCallbacks",
                column: "RequestId");

            migrationBuilder.CreateIndex(
                name: "IX_OpenDsrCallbacks_Status_NextAttemptAt",
                table: "OpenDsrCallbacks",
                columns: new[] { "Status", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_OpenDsrRequests_ClientId_DedupIndex",
                table: "OpenDsrRequests",
                columns: new[] { "ClientId", "DedupIndex" });

            migrationBuilder.CreateIndex(
                name: "IX_OpenDsrRequests_ClientId_SubjectRequestId",
                table: "OpenDsrRequests",
                columns: new[] { "ClientId", "SubjectRequestId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PropagationTasks_ClientId_RequestId",
                table: "PropagationTasks",
                columns: new[] { "ClientId", "RequestId" });

            migrationBuilder.CreateIndex(
                name: "IX_PropagationTasks_Status_CreatedAt",
                table: "PropagationTasks",
                columns: new[] { "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RequestExports_ClientId_ContactId",
                table: "RequestExports",
                columns: new[] { "ClientId", "ContactId" });

            migrationBuilder.CreateIndex(
                name: "IX_RequestVerifications_ClientId_RequestId",
                table: "RequestVerifications",
                columns: new[] { "ClientId", "RequestId" });

            migrationBuilder.CreateIndex(
                name: "IX_RestrictedReads_ClientId_ContactId",
                table: "RestrictedReads",
                columns: new[] { "ClientId", "ContactId" });

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
                name: "OpenDsrCallbacks");

            migrationBuilder.DropTable(
                name: "OpenDsrRequests");

            migrationBuilder.DropTable(
                name: "PropagationTasks");

            migrationBuilder.DropTable(
                name: "RequestExports");

            migrationBuilder.DropTable(
                name: "RequestSettings");

            migrationBuilder.DropTable(
                name: "RequestVerifications");

            migrationBuilder.DropTable(
                name: "RestrictedReads");

            migrationBuilder.DropTable(
                name: "SubjectRequestSteps");

            migrationBuilder.DropTable(
                name: "SubjectRequests");

            migrationBuilder.DropTable(
                name: "Suppressions");

            migrationBuilder.DropColumn(
                name: "RestrictedAt",
                table: "Contacts");
        }
    }
}
