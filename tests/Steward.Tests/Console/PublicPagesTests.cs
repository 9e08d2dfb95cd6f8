using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Console;

/// <summary>The public request form in real Chromium, by keyboard only, through the code mailed by a real SMTP server.</summary>
public sealed partial class PublicPagesTests(Chromium chromium) : IClassFixture<Chromium>
{
    [GeneratedRegex(@"\b(\d{8})\b")]
    private static partial Regex EightDigits();

    [Fact]
    public async Task Art12_a_data_subject_asks_for_erasure_on_the_public_form_and_confirms_by_the_mailed_code_using_the_keyboard_only()
    {
        var port = Mailbox.SmtpPort();
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite, s =>
        {
            s["Steward:Mail:SmtpHost"] = "127.0.0.1";
            s["Steward:Mail:SmtpPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            s["Steward:Mail:Security"] = "None";
        });
        var tenant = await app.SignUpAsync();
        var subject = $"subject-{Guid.NewGuid():N}@example.com";
        var page = await chromium.NewPageAsync(app);
        await page.GotoAsync($"/console/public/requests/{tenant.ClientId}");
        // every field has a label
        Assert.Equal(0, await page.EvaluateAsync<int>("[...document.querySelectorAll('input:not([type=hidden]),select,textarea')].filter(e => e.labels.length === 0).length"));

        await page.Keyboard.PressAsync("Tab"); // the skip link
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByLabel("What do you ask for?")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByLabel("Your email address")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(subject);
        await page.GetByLabel("What do you ask for?").SelectOptionAsync("erasure");
        await Chromium.ScreenshotAsync(page, "public-request");
        await page.GetByLabel("Your email address").PressAsync("Enter");
        await Assertions.Expect(page.GetByLabel("Code from the email")).ToBeVisibleAsync();

        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Steward.Notifications.DeliverNotifications>().HandleAsync(50, default);
        var code = EightDigits().Match(Assert.Single(await Mailbox.ReceivedAsync(subject)).Text).Groups[1].Value;
        await page.GetByLabel("Code from the email").FocusAsync();
        await page.Keyboard.TypeAsync("00000000");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not right"); // next to the field
        await page.GetByLabel("Code from the email").FocusAsync();
        await page.Keyboard.TypeAsync(code);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("confirmed");

        var request = await app.WithDbAsync((db, _) => db.SubjectRequests.IgnoreQueryFilters().SingleAsync(r => r.ClientId == tenant.ClientId));
        Assert.Equal("erasure", request.Type);
        Assert.NotEqual("created", request.Status);
    }
}
