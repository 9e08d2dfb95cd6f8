using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Steward.Audit;

namespace Steward.Data;

/// <summary>One write transaction: the change and the audit events that record it commit together or not at all.</summary>
public sealed class WriteScope(StewardDb db, IDbContextTransaction transaction, SemaphoreSlim? gate) : IAsyncDisposable
{
    private bool _released;

    public async Task CommitAsync(CancellationToken ct)
    {
        // no savepoint around the last save: if it fails the whole transaction is rolled back, never continued,
        // and on PostgreSQL each savepoint is a round trip
        db.Database.AutoSavepointsEnabled = false;
        bool chain;
        try
        {
            chain = await AuditChain.SaveAndAppendAsync(db, ct);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = true;
        }
        await transaction.CommitAsync(ct);
        await ReleaseAsync();
        // PostgreSQL: the events committed as pending; once this returns they are in the chain, as the caller expects
        if (chain) await PostgresChain.For(db.Database.GetConnectionString()!).ChainAsync(ct: ct);
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await ReleaseAsync();
    }

    private async Task ReleaseAsync()
    {
        if (_released || gate is null) return;
        _released = true;
        gate.Release();
        // the connection BeginWriteAsync opened before taking the gate
        await db.Database.CloseConnectionAsync();
    }
}
