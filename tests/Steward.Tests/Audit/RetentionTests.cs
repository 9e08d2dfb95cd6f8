using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Audit;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Audit;

public sealed class RetentionTests
{
    private static Task<PruneAuditLog.Report> PruneAsync(StewardApp app) =>
        app.WithDbAsync((_, services) => services.GetRequiredService<PruneAuditLog>().HandleAsync(CancellationToken.None));

    [Theory, ClassData(typeof(Engines))]
    public async Task G47_access_events_older_than_six_months_are_removed_and_the_kept_chain_still_verifies(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var start = app.Clock.GetUtcNow();
        var tenant = await app.SignUpAsync();
        for (var i = 0; i < 2; i++) await tenant.CreateContactAsync(new { email = $"old{i}@example.com" });
        var old = await app.WithDbAsync((db, _) => db.AuditEvents.CountAsync());

        app.Clock.Advance(TimeSpan.FromDays(120));
        await tenant.CreateContactAsync(new { email = "newer@example.com" });
        Assert.Equal(0, (await PruneAsync(app)).Removed); // nothing is six months old yet

        app.Clock.Advance(TimeSpan.FromDays(90));
        await tenant.CreateContactAsync(new { email = "newest@example.com" });
        var report = await PruneAsync(app);
        Assert.Equal(old, report.Removed);
        var kept = await app.WithDbAsync((db, _) => db.AuditEvents.OrderBy(e => e.Seq).ToListAsync());
        Assert.DoesNotContain(kept, e => e.At < start.AddDays(30));
        Assert.Equal(report.CheckpointSeq + 1, kept[0].Seq);
        Assert.Contains(kept, e => e.Action == PruneAuditLog.Action);
        // `steward audit verify`, the real CLI, verifies what remains from the checkpoint
        var (exit, output, _) = await app.RunCliAsync("audit", "verify");
        Assert.Equal(0, exit);
        Assert.Contains($"The audit chain is intact: {kept.Count} events.", output, StringComparison.Ordinal);

        // a kept event still cannot be deleted
        Assert.NotNull(await Record.ExceptionAsync(() => app.WithDbAsync((db, _) =>
            db.Database.ExecuteSqlAsync($"""DELETE FROM "AuditEvents" WHERE "Seq" = {kept[0].Seq}"""))));
        // a checkpoint moved by hand over a kept event is not vouched for by a removal event
        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlAsync(
            $"""UPDATE "AuditCheckpoints" SET "Seq" = {kept[0].Seq}, "Hash" = (SELECT "Hash" FROM "AuditEvents" WHERE "Seq" = {kept[0].Seq}) WHERE "Id" = 1"""));
        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlAsync($"""DELETE FROM "AuditEvents" WHERE "Seq" = {kept[0].Seq}"""));
        (exit, output, _) = await app.RunCliAsync("audit", "verify");
        Assert.Equal(1, exit);
        Assert.Contains("vouches", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// G-47, C.4: IP addresses in the access log are sealed under a key per month; once a whole month is past the
    /// retention, its key is destroyed with the events, so no copy (a backup) of that month's addresses can be read.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task G47_the_ip_pseudonymisation_keys_of_months_past_the_retention_are_destroyed(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var start = app.Clock.GetUtcNow(); // 2 November 2026
        await app.ClientSignInRawAsync("nobody@client.example", "a wrong password"); // a failed sign-in, with its IP
        var november = await app.WithDbAsync((db, _) => db.AuditEvents.OrderBy(e => e.Seq).LastAsync());
        Assert.NotNull(november.IpAddressSealed);

        app.Clock.Advance(TimeSpan.FromDays(60)); // January: November is not past the retention yet
        await app.ClientSignInRawAsync("nobody@client.example", "a wrong password");
        Assert.Equal(0, (await PruneAsync(app)).KeysDestroyed);
        Assert.NotNull(await OpenMonthAsync(app, start));

        app.Clock.Advance(TimeSpan.FromDays(155)); // 5 June 2027: November's events are gone, November's key with them
        var report = await PruneAsync(app);
        Assert.True(report.Removed > 0);
        Assert.Equal(1, report.KeysDestroyed);
        Assert.Null(await OpenMonthAsync(app, start));
        Assert.NotNull(await OpenMonthAsync(app, start.AddDays(60))); // January's addresses are still within the six months
        Assert.Equal(0, (await PruneAsync(app)).KeysDestroyed); // nothing twice

        app.Clock.Advance(TimeSpan.FromDays(70)); // August 2027: December's (never made: no event had an IP) and January's
        Assert.Equal(2, (await PruneAsync(app)).KeysDestroyed);
        Assert.Null(await OpenMonthAsync(app, start.AddDays(60)));
        var (exit, _, _) = await app.RunCliAsync("audit", "verify");
        Assert.Equal(0, exit);
    }

    private static Task<Steward.Crypto.DataKey?> OpenMonthAsync(StewardApp app, DateTimeOffset month) =>
        app.WithDbAsync((_, services) => services.GetRequiredService<Steward.Crypto.KeyVault>().OpenAsync(Guid.Empty, AuditKeys.MonthSubject(month), CancellationToken.None));
}
