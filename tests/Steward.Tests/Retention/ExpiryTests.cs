using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Crypto;
using Steward.Notifications;
using Steward.Server.Jobs;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;
using Steward.Tests.Requests;

namespace Steward.Tests.Retention;

/// <summary>Retention everywhere (issue 5): what Steward makes along the way goes when its time is up, and the sweep says so.</summary>
public sealed class ExpiryTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task P19_unclaimed_packages_expired_codes_and_old_mail_content_are_shredded_and_the_retention_job_counts_them(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await tenant.CreateContactAsync(ContactTests.Jane);
        var request = await RequestTests.CreateRequestAsync(tenant, new { type = "access", emails = new[] { "jane.doe@example.com" } });
        Assert.Equal(HttpStatusCode.OK, (await RequestTests.MoveAsync(tenant, request, "verified")).StatusCode);
        var fulfilled = await (await tenant.Http.PostAsJsonAsync($"{tenant.Base}/requests/{request.GetProperty("id")}/fulfilment", new { format = "json" })).JsonAsync();
        var url = fulfilled.GetProperty("package").GetProperty("downloadUrl").GetString()!;
        var publicRequest = await PublicRequestTests.SubmitAsync(app, tenant, "access", "sam@example.com");
        var code = await PublicRequestTests.CodeForAsync(app, "sam@example.com");
        var jobs = app.Services.GetServices<PeriodicJob>().ToList();
        await jobs.OfType<NotificationJob>().Single().RunOnceAsync(default);
        var retention = jobs.OfType<RetentionJob>().Single();
        var vault = app.Services.GetRequiredService<KeyVault>();
        var mails = await app.WithDbAsync((db, _) => db.OutboxMessages.Where(m => m.ClientId == tenant.ClientId).Select(m => m.Id).ToListAsync());
        Assert.NotEmpty(mails);

        // inside every window nothing goes
        Assert.All(await retention.RunOnceAsync(default), line => Assert.StartsWith("0 ", line, StringComparison.Ordinal));
        Assert.True(await app.WithDbAsync((db, _) => db.RequestExports.IgnoreQueryFilters().AnyAsync(e => e.PackageSealed != null)));

        // a day later the link has expired: the package is shredded, and so is the code's hash
        app.Clock.Advance(TimeSpan.FromHours(25));
        var done = await retention.RunOnceAsync(default);
        Assert.Contains("1 unclaimed access packages shredded", done);
        Assert.Contains(done, line => line.EndsWith("expired verification codes cleared", StringComparison.Ordinal) && !line.StartsWith("0 ", StringComparison.Ordinal));
        Assert.Contains("0 sent messages' content shredded", done);
        Assert.False(await app.WithDbAsync((db, _) => db.RequestExports.IgnoreQueryFilters().AnyAsync(e => e.PackageSealed != null)));
        await (await app.Anonymous().GetAsync(url)).AssertProblemAsync(410);
        Assert.NotEqual(HttpStatusCode.OK, (await PublicRequestTests.VerifyAsync(app, publicRequest, "sam@example.com", code)).StatusCode);

        // after 30 days a sent message keeps its delivery record but no readable content
        app.Clock.Advance(TimeSpan.FromDays(30));
        done = await retention.RunOnceAsync(default);
        Assert.Contains($"{mails.Count} sent messages' content shredded", done);
        foreach (var id in mails) Assert.Null(await vault.OpenAsync(Guid.Empty, id, default));
        var kept = await app.WithDbAsync((db, _) => db.OutboxMessages.Where(m => mails.Contains(m.Id)).ToListAsync());
        Assert.All(kept, m => Assert.True(m.BodySealed.Length == 0 && m.ToSealed.Length == 0 && m.DeliveredAt is not null));
        Assert.Contains("0 sent messages' content shredded", await retention.RunOnceAsync(default)); // once only

        var (exit, output, errors) = await app.RunCliAsync("sweep");
        Assert.True(exit == 0, output + errors);
        Assert.Contains("  0 unclaimed access packages shredded", output, StringComparison.Ordinal);
    }
}
