using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Health;

/// <summary>
/// <c>/healthz</c>: the process answers (for a liveness probe). <c>/readyz</c>: it can serve — the data database
/// reachable with every migration applied, the key vault and the forget ledger reachable, the key ring loaded.
/// A failed check names the part, never the error's text (which may carry a connection string).
/// </summary>
public static class HealthEndpoints
{
    public sealed record Readiness(string Status, IReadOnlyDictionary<string, string> Checks);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "alive" })).ExcludeFromDescription();
        app.MapGet("/readyz", async (StewardDb db, KeyVault vault, ForgetLedger ledger, KeyEncryptionKey kek, CancellationToken ct) =>
        {
            var checks = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["database"] = await CheckAsync(async () =>
                    (await db.Database.GetPendingMigrationsAsync(ct)).Any() ? "migrations pending" : null),
                ["keyVault"] = await CheckAsync(async () => { await vault.PingAsync(ct); return null; }),
                ["forgetLedger"] = await CheckAsync(async () => { await ledger.PingAsync(ct); return null; }),
                ["keyRing"] = kek.Ids.Count > 0 ? "ok" : "no key-encryption key",
            };
            var ready = checks.Values.All(v => v == "ok");
            return Results.Json(new Readiness(ready ? "ready" : "not ready", checks),
                statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).ExcludeFromDescription();
        return app;
    }

    private static async Task<string> CheckAsync(Func<Task<string?>> check)
    {
        try
        {
            return await check() ?? "ok";
        }
        catch (DbException)
        {
            return "unreachable";
        }
        catch (InvalidOperationException)
        {
            return "unreachable";
        }
    }
}
