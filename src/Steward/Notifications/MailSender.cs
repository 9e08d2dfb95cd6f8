using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Steward.Data;

namespace Steward.Notifications;

public sealed class MailOptions
{
    /// <summary>The SMTP server. Without one, mail goes to <see cref="DropDirectory"/> (development only).</summary>
    public string? SmtpHost { get; set; }
    public int SmtpPort { get; set; } = 587;
    /// <summary>None, StartTls (default: required when offered is not enough for personal data) or SslOnConnect.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTlsWhenAvailable;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "Steward <steward@localhost>";
    /// <summary>Where mail is written as .eml files when no SMTP server is set; default {DataDirectory}/mail-drop.</summary>
    public string? DropDirectory { get; set; }
    /// <summary>How often the delivery job looks at the outbox.</summary>
    public int PollSeconds { get; set; } = 5;
    /// <summary>Attempts before a message is marked failed; the wait doubles from one minute, at most a day.</summary>
    public int MaxAttempts { get; set; } = 10;
    /// <summary>How long a claimed message is left to its sender before another may send it (a crashed node's claim).</summary>
    public int LeaseSeconds { get; set; } = 120;
}

/// <summary>Sends one message: SMTP through MailKit, or an .eml file in the drop folder when no server is set.</summary>
public sealed class MailSender(IOptions<MailOptions> options, IOptions<StorageOptions> storage)
{
    public async Task SendAsync(string to, string subject, string body, Guid messageId, CancellationToken ct)
    {
        var o = options.Value;
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(o.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.MessageId = $"{messageId:N}@steward";
        message.Body = new TextPart("plain") { Text = body };

        if (o.SmtpHost is null)
        {
            var directory = o.DropDirectory ?? Path.Combine(storage.Value.FullDataDirectory, "mail-drop");
            Directory.CreateDirectory(directory);
            await message.WriteToAsync(Path.Combine(directory, $"{messageId:N}.eml"), ct);
            return;
        }
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync(o.SmtpHost, o.SmtpPort, o.Security, ct);
        if (o.Username is not null) await smtp.AuthenticateAsync(o.Username, o.Password ?? "", ct);
        await smtp.SendAsync(message, ct);
        await smtp.DisconnectAsync(quit: true, ct);
    }
}
