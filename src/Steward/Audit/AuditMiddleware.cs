using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Data;

namespace Steward.Audit;

/// <summary>
/// Every request to /v1, /v2 and the console leaves an audit event, refused and failed ones included (G-47, P-22). A use case that
/// changes data writes its event in its own transaction; for the rest (reads, refusals, failures) this writes one.
/// </summary>
public static class AuditMiddleware
{
    public static IApplicationBuilder UseRequestAudit(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!http.Request.Path.StartsWithSegments("/v1") && !http.Request.Path.StartsWithSegments("/v2") && !http.Request.Path.StartsWithSegments("/console"))
        {
            await next(http);
            return;
        }
        var context = http.RequestServices.GetRequiredService<AuditContext>();
        context.IpAddress = http.Connection.RemoteIpAddress?.ToString();
        context.CorrelationId = http.TraceIdentifier;
        int? failedWith = null;
        try
        {
            await next(http);
        }
        catch (Exception exception)
        {
            failedWith = Http.ProblemHandling.Classify(exception).Status;
            throw;
        }
        finally
        {
            if (!context.Recorded) await RecordAsync(http, context, failedWith ?? http.Response.StatusCode);
        }
    });

    private static async Task RecordAsync(HttpContext http, AuditContext context, int status)
    {
        // a fresh scope: the request's unit of work may hold a failed change
        await using var scope = http.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var scoped = scope.ServiceProvider.GetRequiredService<AuditContext>();
        scoped.ActorType = context.ActorType;
        scoped.ActorId = context.ActorId;
        scoped.ClientId = context.ClientId;
        scoped.IpAddress = context.IpAddress;
        scoped.CorrelationId = context.CorrelationId;
        scoped.Reason = context.Reason;
        var db = scope.ServiceProvider.GetRequiredService<StewardDb>();
        var (resourceType, resourceId) = Resource(http);
        var e = await scope.ServiceProvider.GetRequiredService<AuditLog>().NewEventAsync(Action(http), resourceType, resourceId,
            CancellationToken.None, outcome: Outcome(status), status: status);
        if (db.IsSqlite && await GroupCommit.For(db).AppendAsync(db, e)) return;
        // alone: on PostgreSQL (the head's row lock is held for the append and commit only, so commits overlap), or
        // after a group commit that failed
        await using var write = await db.BeginWriteAsync(CancellationToken.None);
        db.AuditEvents.Add(e);
        await write.CommitAsync(CancellationToken.None);
    }

    /// <summary>
    /// SQLite: the request events of concurrent requests committed by one transaction. Writers take turns there, and
    /// one turn per event made every API read wait for all the others' transactions; now whoever holds the turn
    /// commits every event queued by then, each chained in queued order, and the others find theirs durable.
    /// Each unit here is one event, so the group keeps every unit whole; if its commit fails, every event of it is
    /// written alone, as before.
    /// </summary>
    private sealed class GroupCommit
    {
        private static readonly ConcurrentDictionary<string, GroupCommit> ByDatabase = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<Queued> _queued = new();

        private sealed record Queued(AuditEvent Event, TaskCompletionSource<bool> Committed);

        public static GroupCommit For(StewardDb db) => ByDatabase.GetOrAdd(db.Database.GetConnectionString()!, _ => new());

        /// <summary>True once the event is committed, by this call or another; false if its group failed to commit.</summary>
        public async Task<bool> AppendAsync(StewardDb db, AuditEvent e)
        {
            var mine = new Queued(e, new(TaskCreationOptions.RunContinuationsAsynchronously));
            _queued.Enqueue(mine);
            // a holder of the turn after the enqueue takes it, and answers before passing the turn on
            var write = await db.BeginWriteAsync(() => mine.Committed.Task.IsCompleted, CancellationToken.None);
            if (write is null) return await mine.Committed.Task;
            await using (write)
            {
                var group = new List<Queued>();
                while (_queued.TryDequeue(out var next)) group.Add(next);
                foreach (var queued in group) db.AuditEvents.Add(queued.Event);
                try
                {
                    await write.CommitAsync(CancellationToken.None);
                }
                catch
                {
                    foreach (var queued in group)
                    {
                        db.Entry(queued.Event).State = EntityState.Detached;
                        queued.Event.Seq = AuditLog.Placeholder();
                        queued.Committed.TrySetResult(false);
                    }
                    return false;
                }
                foreach (var queued in group) queued.Committed.TrySetResult(true);
            }
            return true;
        }
    }

    private static string Action(HttpContext http)
    {
        var endpoint = http.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>() is { } name) return name.EndpointName;
        var pattern = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
        return Truncate($"{http.Request.Method} {pattern}", 100);
    }

    /// <summary>The most specific id in the route: /clients/{clientId}/contacts/{contactId} names the contact.</summary>
    private static (string?, string?) Resource(HttpContext http)
    {
        string? type = null, id = null;
        foreach (var (key, value) in http.Request.RouteValues)
        {
            if (!key.EndsWith("Id", StringComparison.Ordinal) || value is null) continue;
            type = key[..^2];
            id = SafeId(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
        }
        return (type, id);
    }

    /// <summary>
    /// An id as sent, when it looks like one; anything else (a refused id may be an email typed into the path) only as a
    /// digest, so the audit trail never keeps personal data in clear yet still groups repeated attempts.
    /// </summary>
    private static string SafeId(string value) =>
        value.Length is > 0 and <= 100 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? value
            : "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)))[..16];

    public static string Outcome(int status) => status switch
    {
        < 400 => "success",
        401 or 403 or 404 or 429 => "refused",
        < 500 => "invalid",
        _ => "failed",
    };

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
