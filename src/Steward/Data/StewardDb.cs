using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Steward.Access;
using Steward.Agreements;
using Steward.Audit;
using Steward.Breaches;
using Steward.Clients;
using Steward.Consents;
using Steward.Contacts;
using Steward.Dpo;
using Steward.Inspections;
using Steward.Instructions;
using Steward.Notifications;
using Steward.Requests;
using Steward.SubProcessors;
using Steward.Records;
using Steward.Widgets;

namespace Steward.Data;

/// <summary>
/// The one DbContext. Every <see cref="ITenantOwned"/> row is filtered by <see cref="TenantId"/>: with no tenant
/// set, such queries return nothing (fail closed). Work across tenants says so with IgnoreQueryFilters.
/// </summary>
public abstract class StewardDb(DbContextOptions options) : DbContext(options)
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> SqliteWriteGates = new(StringComparer.Ordinal);

    /// <summary>The in-process queue of a SQLite data database's writers (one writer per file anyway).</summary>
    public static SemaphoreSlim SqliteWriteGate(string connectionString) =>
        SqliteWriteGates.GetOrAdd(connectionString, _ => new SemaphoreSlim(1, 1));

    /// <summary>The client whose rows this unit of work may see. Set once the caller is authorised for it.</summary>
    public Guid? TenantId { get; set; }

    /// <summary>
    /// A context for one scope from the pool (a new one costs more than many queries), as new: the pool resets
    /// EF Core's state, and the tenant is cleared here so that no unit of work inherits another's.
    /// </summary>
    public static StewardDb Lease<T>(IDbContextFactory<T> pool) where T : StewardDb
    {
        var db = pool.CreateDbContext();
        db.TenantId = null;
        return db;
    }

    public DbSet<Client> Clients => Set<Client>();
    public DbSet<ClientUser> ClientUsers => Set<ClientUser>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<ClientSession> ClientSessions => Set<ClientSession>();
    public DbSet<ClientRecoveryCode> ClientRecoveryCodes => Set<ClientRecoveryCode>();
    public DbSet<PrivilegedCredential> PrivilegedCredentials => Set<PrivilegedCredential>();
    public DbSet<Agreement> Agreements => Set<Agreement>();
    public DbSet<Acceptance> Acceptances => Set<Acceptance>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<CustomField> CustomFields => Set<CustomField>();
    public DbSet<Widget> Widgets => Set<Widget>();
    public DbSet<WidgetVersion> WidgetVersions => Set<WidgetVersion>();
    public DbSet<ConsentEvent> ConsentEvents => Set<ConsentEvent>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<AuditChainHead> AuditChainHeads => Set<AuditChainHead>();
    public DbSet<LedgerCheckpoint> LedgerCheckpoints => Set<LedgerCheckpoint>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();
    public DbSet<StaffMember> StaffMembers => Set<StaffMember>();
    public DbSet<StaffSession> StaffSessions => Set<StaffSession>();
    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();
    public DbSet<AccessGrant> AccessGrants => Set<AccessGrant>();
    public DbSet<ActionApproval> ActionApprovals => Set<ActionApproval>();
    public DbSet<SetupLink> SetupLinks => Set<SetupLink>();
    public DbSet<SubjectRequest> SubjectRequests => Set<SubjectRequest>();
    public DbSet<SubjectRequestStep> SubjectRequestSteps => Set<SubjectRequestStep>();
    public DbSet<RequestSettings> RequestSettings => Set<RequestSettings>();
    public DbSet<RequestVerification> RequestVerifications => Set<RequestVerification>();
    public DbSet<RequestExport> RequestExports => Set<RequestExport>();
    public DbSet<PropagationTask> PropagationTasks => Set<PropagationTask>();
    public DbSet<ContactRestriction> ContactRestrictions => Set<ContactRestriction>();
    public DbSet<RestrictedRead> RestrictedReads => Set<RestrictedRead>();
    public DbSet<Suppression> Suppressions => Set<Suppression>();
    public DbSet<SubProcessor> SubProcessors => Set<SubProcessor>();
    public DbSet<SubProcessorChange> SubProcessorChanges => Set<SubProcessorChange>();
    public DbSet<ChangeNotice> ChangeNotices => Set<ChangeNotice>();
    public DbSet<Objection> Objections => Set<Objection>();
    public DbSet<TransferInstruction> TransferInstructions => Set<TransferInstruction>();
    public DbSet<ErasureRequest> ErasureRequests => Set<ErasureRequest>();
    public DbSet<OpenDsr.OpenDsrRequest> OpenDsrRequests => Set<OpenDsr.OpenDsrRequest>();
    public DbSet<OpenDsr.OpenDsrCallback> OpenDsrCallbacks => Set<OpenDsr.OpenDsrCallback>();
    public DbSet<Retention.ReturnExportRecord> ReturnExports => Set<Retention.ReturnExportRecord>();
    public DbSet<JobLease> JobLeases => Set<JobLease>();
    public DbSet<Retention.LegalHold> LegalHolds => Set<Retention.LegalHold>();
    public DbSet<Retention.Destruction> Destructions => Set<Retention.Destruction>();

    // a type test, not Database.ProviderName: that resolves a service on every call, and it is asked on every write
    public bool IsSqlite => this is SqliteStewardDb;

    // this context's SQLite write gate, looked up once: a pooled context keeps its connection string
    private SemaphoreSlim? _sqliteGate;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        Client.Configure(modelBuilder);
        ClientUser.Configure(modelBuilder);
        ApiKey.Configure(modelBuilder);
        Agreement.Configure(modelBuilder);
        Acceptance.Configure(modelBuilder);
        AgreementNotice.Configure(modelBuilder);
        Contact.Configure(modelBuilder);
        CustomField.Configure(modelBuilder);
        Widget.Configure(modelBuilder);
        ConsentEvent.Configure(modelBuilder);
        // SQLite's write gate orders its writers, so a unit of work chains its events at commit: nothing is pending
        AuditEvent.Configure(modelBuilder, pending: !IsSqlite);
        OutboxMessage.Configure(modelBuilder);
        StaffMember.Configure(modelBuilder);
        PrivilegedCredential.Configure(modelBuilder);
        SubjectRequest.Configure(modelBuilder);
        ContactRestriction.Configure(modelBuilder);
        Suppression.Configure(modelBuilder);
        SubProcessor.Configure(modelBuilder);
        SubProcessorChange.Configure(modelBuilder);
        ChangeNotice.Configure(modelBuilder);
        Objection.Configure(modelBuilder);
        TransferInstruction.Configure(modelBuilder);
        ErasureRequest.Configure(modelBuilder);
        Breach.Configure(modelBuilder);
        DpaTerms.Configure(modelBuilder);
        ClientPurpose.Configure(modelBuilder);
        InstructionFlag.Configure(modelBuilder);
        RecordVersion.Configure(modelBuilder);
        Inspection.Configure(modelBuilder);
        Duty.Configure(modelBuilder);
        Measures.Measure.Configure(modelBuilder);
        Measures.ClientSecurityPolicy.Configure(modelBuilder);
        Measures.VulnerabilityReport.Configure(modelBuilder);
        Records.DataInventoryReview.Configure(modelBuilder);
        Disclosure.Configure(modelBuilder);
        OpenDsr.OpenDsrRequest.Configure(modelBuilder);
        Retention.ReturnExportRecord.Configure(modelBuilder);
        JobLease.Configure(modelBuilder);
        Retention.LegalHold.Configure(modelBuilder);
        Retention.Destruction.Configure(modelBuilder);
        modelBuilder.Entity<LedgerCheckpoint>(e => e.Property(c => c.Id).ValueGeneratedNever());

        TenantOwned<ClientUser>(modelBuilder);
        TenantOwned<ApiKey>(modelBuilder);
        TenantOwned<Acceptance>(modelBuilder);
        // a contact in the trash (G-44) is hidden like another client's: only work that says so sees it
        modelBuilder.Entity<Contact>().HasQueryFilter(c => c.ClientId == TenantId && c.DeletedAt == null);
        TenantOwned<AgreementNotice>(modelBuilder);
        TenantOwned<CustomField>(modelBuilder);
        TenantOwned<Widget>(modelBuilder);
        TenantOwned<WidgetVersion>(modelBuilder);
        TenantOwned<ConsentEvent>(modelBuilder);
        TenantOwned<SubjectRequest>(modelBuilder);
        TenantOwned<SubjectRequestStep>(modelBuilder);
        TenantOwned<RequestSettings>(modelBuilder);
        TenantOwned<RequestVerification>(modelBuilder);
        TenantOwned<RequestExport>(modelBuilder);
        TenantOwned<PropagationTask>(modelBuilder);
        TenantOwned<ContactRestriction>(modelBuilder);
        TenantOwned<RestrictedRead>(modelBuilder);
        TenantOwned<Suppression>(modelBuilder);
        TenantOwned<ChangeNotice>(modelBuilder);
        TenantOwned<Objection>(modelBuilder);
        TenantOwned<TransferInstruction>(modelBuilder);
        TenantOwned<ErasureRequest>(modelBuilder);
        TenantOwned<AffectedClient>(modelBuilder);
        TenantOwned<DpaTerms>(modelBuilder);
        TenantOwned<ClientPurpose>(modelBuilder);
        TenantOwned<ClientSession>(modelBuilder);
        TenantOwned<ClientRecoveryCode>(modelBuilder);
        TenantOwned<InstructionFlag>(modelBuilder);
        TenantOwned<Inspection>(modelBuilder);
        TenantOwned<Measures.ClientSecurityPolicy>(modelBuilder);
        TenantOwned<Records.DataInventoryReview>(modelBuilder);
        TenantOwned<Disclosure>(modelBuilder);
        TenantOwned<OpenDsr.OpenDsrRequest>(modelBuilder);
        TenantOwned<Retention.ReturnExportRecord>(modelBuilder);
        TenantOwned<Retention.LegalHold>(modelBuilder);
        TenantOwned<Retention.Destruction>(modelBuilder);
    }

    private void TenantOwned<T>(ModelBuilder model) where T : class, ITenantOwned =>
        model.Entity<T>().HasQueryFilter(e => e.ClientId == TenantId);

    /// <summary>
    /// PostgreSQL: holds a client's or a contact's row until the transaction ends, so concurrent writers of the same
    /// thing take turns; SQLite's write gate already serialises them.
    /// </summary>
    public Task LockClientAsync(Guid id, CancellationToken ct) => LockRowAsync("""SELECT 1 FROM "Clients" WHERE "Id" = {0} FOR UPDATE""", id, ct);

    /// <inheritdoc cref="LockClientAsync"/>
    public Task LockContactAsync(Guid id, CancellationToken ct) => LockRowAsync("""SELECT 1 FROM "Contacts" WHERE "Id" = {0} FOR UPDATE""", id, ct);

    private async Task LockRowAsync(string sql, Guid id, CancellationToken ct)
    {
        if (!IsSqlite) await Database.ExecuteSqlRawAsync(sql, [id], ct);
    }

    /// <summary>
    /// Starts the one transaction of a change. On SQLite, writers queue in process (one writer per file anyway).
    /// Audit events added in it are chained and saved by <see cref="WriteScope.CommitAsync"/>.
    /// </summary>
    public async Task<WriteScope> BeginWriteAsync(CancellationToken ct)
    {
        SemaphoreSlim? gate = null;
        if (IsSqlite)
        {
            gate = _sqliteGate ??= SqliteWriteGate(Database.GetConnectionString()!);
            // opened before the gate, so that the single writer's section holds the transaction alone; the scope
            // closes it when it releases the gate
            await Database.OpenConnectionAsync(ct);
            try
            {
                await gate.WaitAsync(ct);
            }
            catch
            {
                await Database.CloseConnectionAsync();
                throw;
            }
        }
        try
        {
            var tx = await Database.BeginTransactionAsync(ct);
            return new WriteScope(this, tx, gate);
        }
        catch
        {
            if (gate is not null)
            {
                gate.Release();
                await Database.CloseConnectionAsync();
            }
            throw;
        }
    }
}

/// <summary>How far the forget ledger has been replayed into this database (moves back with a restore).</summary>
public sealed class LedgerCheckpoint
{
    public int Id { get; set; }
    public DateTimeOffset ReplayedThrough { get; set; }
}

public sealed class SqliteStewardDb(DbContextOptions<SqliteStewardDb> options) : StewardDb(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset text; stored as UTC ticks they order correctly
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

public sealed class PostgresStewardDb(DbContextOptions<PostgresStewardDb> options) : StewardDb(options);
