using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OtpNet;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Verification;

/// <summary>
/// ASVS V8.3 / V7.1.1 / V6.4: after a run of real traffic against the server process (staff set up and signed in
/// with TOTP, a client signed up, contacts created, searched, changed and erased, a widget submission, a data subject's
/// request verified by its mailed code, refused calls carrying personal values), the server's log, every file of its
/// data directory (and, on PostgreSQL, a dump of its database) and its mail drop hold none of the personal values in
/// clear, and none of the secrets: the key-encryption key, API keys, passwords, TOTP secrets, session tokens, recovery
/// codes, the verification code. A mail may carry only what it is for: its recipient's own address, and for the
/// verification mail the code.
/// </summary>
public sealed partial class SecretsTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task V8_no_personal_value_or_secret_appears_in_logs_data_files_or_mail_drop(Engine engine)
    {
        var watch = Stopwatch.StartNew();
        await using var deployment = await Deployment.CreateAsync(engine);
        // the log levels Steward ships with (src/Steward.Server/appsettings.json), as an operator runs it
        deployment.Settings["Logging__LogLevel__Default"] = "Information";
        deployment.Settings["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        deployment.Settings["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Warning";
        await deployment.StartAsync();
        var unique = Guid.NewGuid().ToString("N")[..8];
        var personal = new List<string>();
        var secrets = new List<string> { deployment.Kek };
        string Personal(string value) { personal.Add(Canaries.Personal(value)); return value; }
        string Secret(string value) { secrets.Add(Canaries.Secret(value)); return value; }
        using var anonymous = deployment.Client();

        // staff: the one-time setup link the server logs at its first start (the operator's way in, used once at once)
        var link = SetupLink().Match(deployment.Output);
        Assert.True(link.Success, "no setup link in the log:\n" + deployment.Output);
        var ceoEmail = Personal($"ceo.wombat{unique}@processor.example");
        var dpoEmail = Personal($"dpo.wombat{unique}@processor.example");
        var setup = await anonymous.PostAsJsonAsync("/v1/staff/setup", new
        {
            token = link.Groups[1].Value,
            ceo = new { name = Personal($"Wombatceo {unique}"), email = ceoEmail },
            dpo = new { name = Personal($"Wombatdpo {unique}"), email = dpoEmail },
        });
        Assert.Equal(HttpStatusCode.Created, setup.StatusCode);
        var invitation = (await setup.JsonAsync()).GetProperty("invited").EnumerateArray().Single(i => i.GetProperty("role").GetString() == "dpo")
            .GetProperty("invitationLink").GetString()!.Split("token=")[1];
        var staffPassword = Secret($"staff pass phrase {unique} wombat");
        var accepted = await (await anonymous.PostAsJsonAsync("/v1/staff/invitations/accept", new { token = invitation, password = staffPassword })).JsonAsync();
        var totp = accepted.GetProperty("totpSecret").GetString()!;
        Secret(totp);
        foreach (var code in accepted.GetProperty("recoveryCodes").EnumerateArray()) Secret(code.GetString()!);
        var signedIn = await anonymous.PostAsJsonAsync("/v1/staff/sessions",
            new { email = dpoEmail, password = staffPassword, code = new Totp(Base32Encoding.ToBytes(totp)).ComputeTotp(DateTime.UtcNow) });
        Assert.Equal(HttpStatusCode.Created, signedIn.StatusCode);
        using var dpo = deployment.Client(Secret((await signedIn.JsonAsync()).GetProperty("token").GetString()!));
        Assert.Equal(HttpStatusCode.OK, (await dpo.GetAsync("/v1/staff/me/sessions")).StatusCode);
        // a wrong password and a wrong code: refusals are logged and audited, what was typed is not
        await anonymous.PostAsJsonAsync("/v1/staff/sessions", new { email = dpoEmail, password = Secret($"wrong pass phrase {unique}"), code = "000000" });

        // a client signs up; its owner's password and its key are secrets
        var agreements = await anonymous.GetFromJsonAsync<JsonElement>("/v1/agreements");
        var ownerEmail = Personal($"owner.numbat{unique}@client.example");
        var signUp = await anonymous.PostAsJsonAsync("/v1/signup", new
        {
            name = "Numbat Trading " + unique,
            ownerName = Personal($"Numbatowner {unique}"),
            ownerEmail,
            ownerPassword = Secret($"owner pass phrase {unique} numbat"),
            acceptances = agreements.EnumerateArray().Select(a => new { document = a.GetProperty("document").GetString(), version = a.GetProperty("version").GetString(), accepted = true }),
        });
        Assert.Equal(HttpStatusCode.Created, signUp.StatusCode);
        var signedUp = await signUp.JsonAsync();
        var basePath = $"/v1/clients/{signedUp.GetProperty("clientId").GetGuid()}";
        using var client = deployment.Client(Secret(signedUp.GetProperty("apiKey").GetString()!));

        // contacts: created, searched for by email, changed, one erased; a refused create that carries personal values
        var email = Personal($"contact.quokka.{unique}@subject.example");
        var created = await client.PostAsJsonAsync(basePath + "/contacts", new
        {
            email,
            firstName = Personal("Quokkafirst" + unique),
            lastName = Personal("Quokkalast" + unique),
            phone = Personal("+4598" + unique.Where(char.IsAsciiDigit).Aggregate("", (s, c) => s + c).PadRight(6, '7')[..6]),
            company = Personal("Quokka Holdings " + unique),
            address = Personal("Quokkavej " + unique),
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var contact = (await created.JsonAsync()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"{basePath}/contacts?email={Uri.EscapeDataString(email)}")).StatusCode);
        var newEmail = Personal($"contact.quokka.new.{unique}@subject.example");
        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsJsonAsync($"{basePath}/contacts/{contact}", new { email = newEmail })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync(basePath + "/contacts",
            new { email = Personal($"not an address quokka{unique}"), firstName = Personal("Refusedquokka" + unique) })).StatusCode);
        var doomed = (await (await client.PostAsJsonAsync(basePath + "/contacts", new { email = Personal($"erased.quokka.{unique}@subject.example"), lastName = Personal("Erasedquokka" + unique) })).JsonAsync()).GetProperty("id");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"{basePath}/contacts/{doomed}/erase", null)).StatusCode);

        // a consent widget and a submission to it from the public
        var widget = await client.PostAsJsonAsync(basePath + "/widgets", new
        {
            name = "Newsletter",
            fields = new[] { "email", "firstName" },
            purposes = new object[] { new { key = "newsletter", text = "Send me the newsletter", required = true } },
            allowedOrigins = Array.Empty<string>(),
        });
        Assert.Equal(HttpStatusCode.Created, widget.StatusCode);
        var submitted = await anonymous.PostAsJsonAsync($"/v1/public/widgets/{(await widget.JsonAsync()).GetProperty("id")}/submissions",
            new { fields = new { email = Personal($"widget.quokka.{unique}@subject.example"), firstName = Personal("Widgetquokka" + unique) }, consents = new { newsletter = true } });
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);

        // a data subject asks; the code comes by mail to the subject's own address, and is then typed in
        var subject = Personal($"subject.quokka.{unique}@subject.example");
        var asked = await anonymous.PostAsJsonAsync("/v1/public/requests", new { clientId = signedUp.GetProperty("clientId").GetGuid(), type = "access", emails = new[] { subject } });
        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        var requestId = (await asked.JsonAsync()).GetProperty("requestId").GetGuid();
        var mail = await WaitForMailAsync(deployment, subject);
        var verification = Secret(CodeLine().Match(mail.TextBody ?? "").Groups[1].Value);
        Assert.Equal(8, verification.Length);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync($"/v1/public/requests/{requestId}/verification", new { email = subject, code = verification })).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(3)); // the delivery job's next rounds: whatever the traffic queued reaches the drop

        // what the deployment left behind
        var places = new List<(string Where, string Text, byte[] Bytes)> { ("the server's log", deployment.Output, Encoding.UTF8.GetBytes(deployment.Output)) };
        foreach (var file in Directory.EnumerateFiles(deployment.DataDirectory, "*", SearchOption.AllDirectories).Where(f => !f.StartsWith(deployment.MailDrop, StringComparison.Ordinal)))
            places.Add((file, "", await ReadSharedAsync(file)));
        if (engine == Engine.Postgres) places.Add(("pg_dump", "", await Contacts.ErasureTests.PgDumpAsync(deployment.Postgres!)));
        Assert.Contains(places, p => p.Where.EndsWith("steward.db", StringComparison.Ordinal) || p.Where == "pg_dump");

        var found = new List<string>();
        foreach (var (where, _, bytes) in places)
            foreach (var value in personal.Concat(secrets))
                if (Forms(value).FirstOrDefault(form => bytes.AsSpan().IndexOf(form.Bytes) >= 0) is { Bytes: not null } form)
                    found.Add($"{(secrets.Contains(value) ? "secret" : "personal value")} '{value}' in {where} ({form.Name})");
        var mails = Directory.EnumerateFiles(deployment.MailDrop, "*.eml").ToList();
        foreach (var file in mails)
        {
            var raw = await File.ReadAllBytesAsync(file);
            using var message = await MimeKit.MimeMessage.LoadAsync(new MemoryStream(raw));
            var to = message.To.Mailboxes.Single().Address;
            var decoded = Encoding.UTF8.GetBytes(message.Subject + "\n" + (message.TextBody ?? ""));
            // what the mail is for: its recipient's own address, and the code in the verification mail to that address
            var expected = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { to };
            if (to == subject) expected.Add(verification);
            foreach (var value in personal.Concat(secrets).Where(v => !expected.Contains(v)))
                if (Forms(value).FirstOrDefault(form => raw.AsSpan().IndexOf(form.Bytes) >= 0 || decoded.AsSpan().IndexOf(form.Bytes) >= 0) is { Bytes: not null } form)
                    found.Add($"{(secrets.Contains(value) ? "secret" : "personal value")} '{value}' in the mail '{message.Subject}' to {to} ({form.Name})");
        }
        TestContext.Current.SendDiagnosticMessage($"secrets ({engine}): {personal.Count} personal values and {secrets.Count} secrets searched for in {places.Count} places "
            + $"(log of {deployment.Output.Length:N0} characters, data files, {(engine == Engine.Postgres ? "database dump" : "database file")}) and {mails.Count} mails, "
            + $"in {watch.Elapsed.TotalSeconds:0} s; {found.Count} found");
        Assert.True(mails.Count > 0, "the traffic sent no mail: the mail drop was not searched");
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    /// <summary>The forms a value may take on disk or in a log: as typed, UTF-16, URL- and JSON-escaped, and a TOTP secret's raw bytes.</summary>
    private static IEnumerable<(string Name, byte[] Bytes)> Forms(string value)
    {
        yield return ("UTF-8", Encoding.UTF8.GetBytes(value));
        yield return ("UTF-16", Encoding.Unicode.GetBytes(value));
        if (Uri.EscapeDataString(value) is var url && url != value) yield return ("URL-encoded", Encoding.UTF8.GetBytes(url));
        if (JsonSerializer.Serialize(value)[1..^1] is var json && json != value) yield return ("JSON-escaped", Encoding.UTF8.GetBytes(json));
        if (Base32().IsMatch(value)) yield return ("raw bytes", Base32Encoding.ToBytes(value));
        if (value.Length == 44 && value.EndsWith('=') && Convert.TryFromBase64String(value, new byte[32], out _)) yield return ("raw bytes", Convert.FromBase64String(value));
    }

    private static async Task<MimeKit.MimeMessage> WaitForMailAsync(Deployment deployment, string to)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            foreach (var file in Directory.Exists(deployment.MailDrop) ? Directory.EnumerateFiles(deployment.MailDrop, "*.eml") : [])
            {
                var message = await MimeKit.MimeMessage.LoadAsync(new MemoryStream(await ReadSharedAsync(file)));
                if (message.To.Mailboxes.Any(m => m.Address == to)) return message;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"no mail to {to} in the drop:\n" + deployment.Output);
    }

    private static async Task<byte[]> ReadSharedAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }

    [GeneratedRegex(@"/v1/staff/setup\?token=([A-Za-z0-9_\-]+)")]
    private static partial Regex SetupLink();

    [GeneratedRegex(@"^\s+(\d{8})$", RegexOptions.Multiline)]
    private static partial Regex CodeLine();

    [GeneratedRegex("^[A-Z2-7]{16,}$")]
    private static partial Regex Base32();
}
