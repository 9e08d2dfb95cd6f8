using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Crypto;
using Steward.Notifications;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Notifications;

public sealed class DeliveryTests
{
    private static async Task RaiseExportAlertAsync(StewardApp app, Guid clientId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Steward.Data.StewardDb>();
        await using var write = await db.BeginWriteAsync(default);
        await scope.ServiceProvider.GetRequiredService<ExportAlert>().RaiseAsync(db, clientId, "api", 42, default);
        await write.CommitAsync(default);
    }

    private static async Task<DeliverNotifications.Outcome> DeliverAsync(StewardApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DeliverNotifications>().HandleAsync(50, default);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P25_an_export_alert_reaches_the_ceo_and_the_dpo_over_real_smtp_and_its_delivery_is_audited(Engine engine)
    {
        var ceo = $"ceo-{Guid.NewGuid():N}@processor.example";
        var dpo = $"dpo-{Guid.NewGuid():N}@processor.example";
        var port = Mailbox.SmtpPort();
        await using var app = await StewardApp.StartAsync(engine, s =>
        {
            s["Steward:Mail:SmtpHost"] = "127.0.0.1";
            s["Steward:Mail:SmtpPort"] = port.ToString(CultureInfo.InvariantCulture);
            s["Steward:Mail:Security"] = "None";
            s["Steward:Alerts:Recipients:0"] = ceo;
            s["Steward:Alerts:Recipients:1"] = dpo;
        });
        var tenant = await app.SignUpAsync();
        await RaiseExportAlertAsync(app, tenant.ClientId);

        // sealed while it waits: the outbox holds no address in clear
        var queued = await app.WithDbAsync((db, _) => db.OutboxMessages.Where(m => m.Kind == "export-alert").ToListAsync());
        Assert.Equal(2, queued.Count);
        Assert.All(queued, m => Assert.True(m.ToSealed.AsSpan().IndexOf("processor.example"u8) < 0));

        Assert.Equal(new DeliverNotifications.Outcome(2, 0, 0), await DeliverAsync(app));
        foreach (var to in new[] { ceo, dpo })
        {
            var mail = Assert.Single(await Mailbox.ReceivedAsync(to));
            Assert.Contains(tenant.ClientId.ToString(), mail.Subject, StringComparison.Ordinal);
            Assert.Contains("Records: 42", mail.Text, StringComparison.Ordinal);
            Assert.Contains("Channel: api", mail.Text, StringComparison.Ordinal);
        }
        // delivered: shredded, and the delivery is in the audit trail
        var vault = app.Services.GetRequiredService<KeyVault>();
        foreach (var m in queued) Assert.Null(await vault.OpenAsync(Guid.Empty, m.Id, default));
        var events = await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "DeliverNotification").ToListAsync());
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal(tenant.ClientId, e.ClientId));
        Assert.Equal(new DeliverNotifications.Outcome(0, 0, 0), await DeliverAsync(app)); // nothing is sent twice
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task A_message_the_mail_server_refuses_is_retried_with_a_doubling_wait_and_then_marked_failed(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s =>
        {
            s["Steward:Mail:SmtpHost"] = "127.0.0.1";
            s["Steward:Mail:SmtpPort"] = "9"; // nothing listens there
            s["Steward:Mail:Security"] = "None";
            s["Steward:Mail:MaxAttempts"] = "3";
            s["Steward:Alerts:Recipients:0"] = "ceo@processor.example";
        });
        var tenant = await app.SignUpAsync();
        await RaiseExportAlertAsync(app, tenant.ClientId);

        Assert.Equal(new DeliverNotifications.Outcome(0, 1, 0), await DeliverAsync(app));
        Assert.Equal(new DeliverNotifications.Outcome(0, 0, 0), await DeliverAsync(app));   // not yet due
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(new DeliverNotifications.Outcome(0, 1, 0), await DeliverAsync(app));   // second attempt after 1 min
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(new DeliverNotifications.Outcome(0, 0, 0), await DeliverAsync(app));   // the wait doubled to 2 min
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(new DeliverNotifications.Outcome(0, 0, 1), await DeliverAsync(app));   // third and last

        var message = await app.WithDbAsync((db, _) => db.OutboxMessages.SingleAsync());
        Assert.Equal((OutboxMessage.Failed, 3), (message.Status, message.Attempts));
        Assert.DoesNotContain("@", message.LastError, StringComparison.Ordinal);
        Assert.Equal(3, await app.WithDbAsync((db, _) => db.AuditEvents.CountAsync(e => e.Action == "DeliverNotification" && e.Outcome == "failed")));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Without_an_smtp_server_mail_goes_to_the_drop_folder(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:Alerts:Recipients:0"] = "dpo@processor.example");
        var tenant = await app.SignUpAsync();
        await RaiseExportAlertAsync(app, tenant.ClientId);
        Assert.Equal(new DeliverNotifications.Outcome(1, 0, 0), await DeliverAsync(app));
        var file = Assert.Single(Directory.GetFiles(Path.Combine(app.DataDirectory, "mail-drop"), "*.eml"));
        Assert.Contains("To: dpo@processor.example", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Nodes_a_node_whose_lease_was_taken_over_records_nothing_and_the_message_is_delivered_once(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:Alerts:Recipients:0"] = "dpo@processor.example");
        var tenant = await app.SignUpAsync();
        await RaiseExportAlertAsync(app, tenant.ClientId);

        // node a claims the message, then stalls past its 120-second lease; node b takes it over and delivers it
        await using var a = app.Services.CreateAsyncScope();
        var nodeA = a.ServiceProvider.GetRequiredService<DeliverNotifications>();
        var (id, attempt) = Assert.Single(await nodeA.ClaimAsync(50, default));
        app.Clock.Advance(TimeSpan.FromSeconds(121));
        Assert.Equal(new DeliverNotifications.Outcome(1, 0, 0), await DeliverAsync(app));

        // node a comes back with its send done (or failed): its claim is stale, so it records nothing
        Assert.Null(await nodeA.RecordAsync(id, attempt, tenant.ClientId, null, default));
        Assert.Null(await nodeA.RecordAsync(id, attempt, tenant.ClientId, "SocketException", default));
        var message = await app.WithDbAsync((db, _) => db.OutboxMessages.SingleAsync());
        Assert.Equal((OutboxMessage.Delivered, 2, (string?)null), (message.Status, message.Attempts, message.LastError));
        Assert.Equal(1, await app.WithDbAsync((db, _) => db.AuditEvents.CountAsync(e => e.Action == "DeliverNotification")));
        Assert.Single(Directory.GetFiles(Path.Combine(app.DataDirectory, "mail-drop"), "*.eml"));

        // taken over before delivery: node b claims, node a's late failure does not reschedule b's attempt
        await RaiseExportAlertAsync(app, tenant.ClientId);
        var (second, first) = Assert.Single(await nodeA.ClaimAsync(50, default));
        app.Clock.Advance(TimeSpan.FromSeconds(121));
        await using var b = app.Services.CreateAsyncScope();
        var (_, taken) = Assert.Single(await b.ServiceProvider.GetRequiredService<DeliverNotifications>().ClaimAsync(50, default));
        Assert.Equal(first + 1, taken);
        Assert.Null(await nodeA.RecordAsync(second, first, tenant.ClientId, "SocketException", default));
        var pending = await app.WithDbAsync((db, _) => db.OutboxMessages.SingleAsync(m => m.Id == second));
        Assert.Equal((OutboxMessage.Pending, taken, (string?)null), (pending.Status, pending.Attempts, pending.LastError));
        Assert.Equal(new DeliverNotifications.Outcome(0, 0, 0), await DeliverAsync(app)); // b's lease still holds it

        // a claim whose lease ran out but that nobody took over still records: sending again would only duplicate
        app.Clock.Advance(TimeSpan.FromSeconds(121));
        Assert.Equal(OutboxMessage.Delivered, await b.ServiceProvider.GetRequiredService<DeliverNotifications>()
            .RecordAsync(second, taken, tenant.ClientId, null, default));
    }
}
