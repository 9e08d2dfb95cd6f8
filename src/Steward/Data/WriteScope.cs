using Microsoft.EntityFrameworkCore.Storage;
using Steward.Audit;

namespace Steward.Data;

/// <summary>One write transaction: the change and the audit events that record it commit together or not at all.</summary>
public sealed class WriteScope(StewardDb db, IDbContextTransaction transaction, SemaphoreSlim? gate) : IAsyncDisposable
{
    private bool _released;

    public async Task CommitAsync(CancellationToken ct)
    {
        await AuditChain.SealPendingAsync(db, ct);
        // no savepoint around the last save: if it fails the whole transaction is rolled back, never continued,
        // and on PostgreSQL each savepoint is a round trip made while the chain head is locked
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = true;
        }
        await transaction.CommitAsync(ct);
        Release();
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        Release();
    }

    private void Release()
    {
        if (_released) return;
        _released = true;
        gate?.Release();
    }
}
