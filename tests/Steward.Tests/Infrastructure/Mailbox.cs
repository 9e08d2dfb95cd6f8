using System.Net.Http.Json;
using System.Text.Json;

namespace Steward.Tests.Infrastructure;

/// <summary>The real SMTP server test.sh started (maildev): what it received, read over its HTTP API.</summary>
public static class Mailbox
{
    public static int SmtpPort()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("STEWARD_TEST_SMTP_PORT"), out var port)) return port;
        if (Environment.GetEnvironmentVariable("CI") == "true")
            throw new InvalidOperationException("STEWARD_TEST_SMTP_PORT is not set: run the tests with ./test.sh, which starts maildev.");
        Assert.Skip("No SMTP server (run ./test.sh to start maildev).");
        return 0;
    }

    /// <summary>An app that delivers its outbox to this SMTP server (on real sockets with <paramref name="listen"/>, for a browser).</summary>
    public static Task<StewardApp> StartAppAsync(Engine engine, bool listen = false)
    {
        var port = SmtpPort();
        return StewardApp.StartAsync(engine, s =>
        {
            s["Steward:Mail:SmtpHost"] = "127.0.0.1";
            s["Steward:Mail:SmtpPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            s["Steward:Mail:Security"] = "None";
        }, listen);
    }

    public sealed record Mail(string To, string Subject, string Text);

    /// <summary>The mails received for one address (each test uses addresses of its own).</summary>
    public static async Task<List<Mail>> ReceivedAsync(string to)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Environment.GetEnvironmentVariable("STEWARD_TEST_MAILDEV")!) };
        var all = await http.GetFromJsonAsync<JsonElement>("/api/email");
        return all.EnumerateArray()
            .Where(m => m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetProperty("address").GetString(), to, StringComparison.OrdinalIgnoreCase)))
            .Select(m => new Mail(to, m.GetProperty("subject").GetString()!, m.GetProperty("text").GetString() ?? ""))
            .ToList();
    }
}
