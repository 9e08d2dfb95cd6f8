using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.Audit;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Notifications;
using Steward.Widgets;

namespace Steward.Consents;

/// <summary>
/// A data subject submits a client's widget (P-03, P-06, Art. 7). A purpose counts as consented only when the
/// submission sets it to JSON <c>true</c>; without that for a required purpose nothing is stored. Each consent is
/// recorded with the server's time, the submitter's IP and user agent, the widget and version, and the exact text.
/// A restricted subject (Art. 18) is not updated. A subject on the suppression list (Art. 21) gets no marketing
/// consent from a submission: it is held until confirmed through a link mailed to the address (<see cref="ConfirmConsent"/>).
/// </summary>
public sealed partial class SubmitWidget(StewardDb db, KeyVault vault, BlindIndex index, WithdrawalLinks links, ConsentReceipts receiptLinks,
    ResubscribeLinks resubscribe, Notifier notifier, PublishedVersions versions, IOptions<AccessOptions> options, AuditLog audit, AuditContext actor,
    TimeProvider clock, ILogger<SubmitWidget> log)
{
    public sealed record Request(Dictionary<string, JsonElement>? Fields, Dictionary<string, JsonElement>? Consents);
    /// <param name="ReceiptUrl">The signed, machine-readable receipt of this consent (Kantara / ISO/IEC TS 27560), for the subject to keep.</param>
    public sealed record ConsentReceipt(Guid Id, string Purpose, int WidgetVersion, DateTimeOffset At, string WithdrawUrl, string ReceiptUrl);
    /// <param name="PendingConfirmation">Marketing consents not recorded yet: the address must confirm them first (Art. 21(3)).</param>
    public sealed record Response(Guid WidgetId, int WidgetVersion, List<ConsentReceipt> Consents, List<string> PendingConfirmation);

    public static async Task<ConsentReceipt> ReceiptAsync(WithdrawalLinks links, ConsentReceipts receipts, ConsentEvent consent, CancellationToken ct) =>
        new(consent.Id, consent.Purpose, consent.WidgetVersion ?? 0, consent.At, "/v1/public/consents/withdraw?token="
            + await links.TokenAsync(new(consent.ClientId, consent.ContactId, consent.Purpose), ct), await receipts.UrlAsync(consent.ClientId, consent.Id, ct));

    public async Task<Result<Response>> HandleAsync(Guid widgetId, Request request, string? ipAddress, string? userAgent, CancellationToken ct)
    {
        // one connection for the whole submission, not one per query: each SQLite open registers the functions again
        await db.Database.OpenConnectionAsync(ct);
        var widget = await FindWidget.For(db)(db, widgetId, ct);
        if (widget is null) return Errors.NotFound("widget");
        // a cancelled client's widgets collect nothing (P-07)
        if (!widget.Active) return Errors.Gone("This form no longer collects data.");
        db.TenantId = widget.ClientId;
        actor.ActorType = "public";
        actor.ClientId = widget.ClientId;
        var (version, purposes, collected) = await versions.GetAsync(db, widgetId, widget.CurrentVersion, ct);

        var problems = new Problems();
        var given = Consented(request.Consents, purposes, problems);
        foreach (var required in purposes.Where(p => p.Required && !given.Contains(p.Key)))
            problems.Add("consents." + required.Key, "This consent is required to submit, and must be given actively (true).");
        var body = ToContactBody(request.Fields, collected, problems);
        var declared = await DeclareFields.DeclaredAsync(db, ct);
        var values = ContactFields.Parse(body, declared, problems);
        if (values.Standard.Values.All(v => v is null) && values.Custom.Values.All(v => v is null))
            problems.Add("fields", "Fill in at least one field.");
        if (problems.Any)
        {
            LogRefused(log, widgetId, ipAddress);
            return Errors.Invalid(problems);
        }

        var now = clock.GetUtcNow();
        var emailIndex = await index.EmailAsync(widget.ClientId, values.Standard.GetValueOrDefault("email"), ct);
        var existing = emailIndex is null ? null : await ContactByEmail.For(db)(db, emailIndex, ct);
        if (existing is not null && Restriction.Check(existing, Restriction.Use.WidgetUpdate) is { } restricted) return restricted;
        var phoneIndex = await index.PhoneAsync(widget.ClientId, values.Standard.GetValueOrDefault("phone"), ct) ?? existing?.PhoneIndex;
        var suppressed = await Suppression.IsSuppressedAsync(db, emailIndex, phoneIndex, ct);
        var held = purposes.Where(p => given.Contains(p.Key) && suppressed && p.Marketing).Select(p => p.Key).ToList();
        var created = existing is null;
        var recorded = purposes.Where(p => given.Contains(p.Key) && !held.Contains(p.Key)).ToList();
        var email = values.Standard.GetValueOrDefault("email");
        // the keys this submission needs (the new contact's, one per mail) are made in one commit of the key store,
        // not one each: a commit is durable, and its fsync was most of a submission's cost
        var contact = existing ?? new Contact { Id = Guid.CreateVersion7(), ClientId = widget.ClientId, Source = "widget", CreatedAt = now, UpdatedAt = now };
        var wanted = new List<(Guid, Guid)>(3);
        if (created) wanted.Add((widget.ClientId, contact.Id));
        var notice = recorded.Count > 0 && email is not null;
        if (notice) wanted.Add((Notifier.KeyOwner, Guid.CreateVersion7()));
        var confirm = held.Count > 0 && email is not null;
        if (confirm) wanted.Add((Notifier.KeyOwner, Guid.CreateVersion7()));
        var made = await vault.CreateManyAsync(wanted, ct);
        var key = created ? made[0]
            : await vault.OpenAsync(widget.ClientId, contact.Id, ct) ?? throw new InvalidOperationException("A stored contact has no key.");
        var mailKeys = new Queue<DataKey>(made.Skip(created ? 1 : 0));
        using (key)
        {
            var custom = ContactFields.Merge(created ? [] : ContactFields.OpenCustom(contact, key), values);
            await ContactFields.ApplyAsync(contact, key, values, custom, index, ct);
            contact.UpdatedAt = now;
            // everything but the rows' insertion is done before the write starts: on SQLite writers take turns, and
            // signing the links or sealing the mails while holding the turn would make every other writer wait on it
            var consents = new List<ConsentEvent>();
            var receipts = new List<ConsentReceipt>();
            foreach (var purpose in recorded)
            {
                var consent = new ConsentEvent
                {
                    Id = Guid.CreateVersion7(),
                    ClientId = widget.ClientId,
                    ContactId = contact.Id,
                    Purpose = purpose.Key,
                    Kind = ConsentEvent.Given,
                    Method = "widget",
                    WidgetId = widgetId,
                    WidgetVersion = version.Version,
                    TextSha256 = purpose.TextSha256,
                    At = now,
                    IpAddressSealed = key.Seal("consent.ip", ipAddress),
                    UserAgentSealed = key.Seal("consent.userAgent", userAgent),
                };
                consents.Add(consent);
                receipts.Add(await ReceiptAsync(links, receiptLinks, consent, ct));
            }
            // the mails are added to the unit of work here and saved with the rest at the commit, or not at all
            if (notice)
            {
                using var mailKey = mailKeys.Dequeue();
                notifier.Enqueue(db, new Notifier.Message("consent-given", widget.ClientId, email!, "Your consent", ConsentNotice(purposes, receipts)), mailKey);
            }
            if (confirm)
            {
                using var mailKey = mailKeys.Dequeue();
                var token = await resubscribe.TokenAsync(new(widget.ClientId, contact.Id, widgetId, version.Version, now + ResubscribeLinks.Lifetime, held), ct);
                notifier.Enqueue(db, new Notifier.Message("resubscribe-confirmation", widget.ClientId, email!, "Confirm your subscription",
                    $"""
                    You objected earlier to receiving marketing from us, so we did not record the consent you just gave.
                    If you want it after all, confirm it within {ResubscribeLinks.Lifetime.Days} days: /v1/public/consents/confirm?token={token}
                    If it was not you, ignore this message: nothing changes without your confirmation.
                    """), mailKey);
            }
            // the rows are added to the unit of work (and the event's IP sealed) before the write turn too
            if (created) db.Contacts.Add(contact);
            db.ConsentEvents.AddRange(consents);
            await audit.RecordAsync(db, "SubmitWidget", "widget", widgetId.ToString(), ct, status: 201);
            try
            {
                await using var write = await db.BeginWriteAsync(ct);
                await write.CommitAsync(ct);
            }
            catch (DbUpdateException) when (created)
            {
                // the same email arrived twice at once: the other submission won; this one is refused whole
                await vault.DestroyAsync(widget.ClientId, [contact.Id], CancellationToken.None);
                return Errors.Conflict("The same subject was submitted twice at once; submit again.");
            }
            return new Response(widgetId, version.Version, receipts, held);
        }
    }

    /// <summary>What a submission needs of its widget, in one round trip.</summary>
    private sealed record Target(Guid ClientId, int CurrentVersion, bool Active);

    private static readonly CompiledQuery<Func<StewardDb, Guid, CancellationToken, Task<Target?>>> FindWidget =
        new(() => EF.CompileAsyncQuery((StewardDb db, Guid widgetId, CancellationToken ct) => db.Widgets.IgnoreQueryFilters()
            .Where(w => w.Id == widgetId)
            .Select(w => new Target(w.ClientId, w.CurrentVersion, db.Clients.Any(c => c.Id == w.ClientId && c.Status == Clients.ClientLifecycle.Active)))
            .SingleOrDefault()));

    /// <summary>The client's contact with this email (the tenant filter applies: <see cref="StewardDb.TenantId"/> is set first).</summary>
    private static readonly CompiledQuery<Func<StewardDb, byte[], CancellationToken, Task<Contact?>>> ContactByEmail =
        new(() => EF.CompileAsyncQuery((StewardDb db, byte[] emailIndex, CancellationToken ct) => db.Contacts.SingleOrDefault(c => c.EmailIndex == emailIndex)));

    /// <summary>The subject's copy of what they agreed to, with the one link per consent that withdraws it (Art. 7(3)).</summary>
    private string ConsentNotice(List<WidgetVersion.Purpose> purposes, List<ConsentReceipt> receipts)
    {
        var text = new System.Text.StringBuilder("You gave your consent to:\n");
        foreach (var receipt in receipts)
            text.Append("\n- ").Append(purposes.Single(p => p.Key == receipt.Purpose).Text)
                .Append("\n  Withdraw it at any time: ").Append(options.Value.PublicUrl.TrimEnd('/')).Append(receipt.WithdrawUrl).Append('\n');
        return text.Append("\nIf it was not you, use the links above: nothing else is needed.\n").ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Widget {WidgetId} refused a submission from {IpAddress}")]
    private static partial void LogRefused(ILogger log, Guid widgetId, [PersonalDataClassification] string? ipAddress);

    /// <summary>The purposes set to JSON true. Anything else (false, "true", 1, absent) is no consent.</summary>
    private static HashSet<string> Consented(Dictionary<string, JsonElement>? consents, List<WidgetVersion.Purpose> purposes, Problems problems)
    {
        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in consents ?? [])
        {
            if (purposes.All(p => p.Key != key)) problems.Add("consents." + ContactFields.Safe(key), "The widget asks for no such consent.");
            else if (value.ValueKind == JsonValueKind.True) given.Add(key);
        }
        return given;
    }

    private static JsonElement ToContactBody(Dictionary<string, JsonElement>? fields, List<string> collected, Problems problems)
    {
        var standard = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var custom = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, value) in fields ?? [])
        {
            if (!collected.Contains(name)) problems.Add("fields." + ContactFields.Safe(name), "The widget does not collect this field.");
            else if (ContactFields.StandardNames.Contains(name)) standard[name] = value;
            else custom[name] = value;
        }
        if (custom.Count > 0) standard["custom"] = JsonSerializer.SerializeToElement(custom);
        return JsonSerializer.SerializeToElement(standard);
    }
}
