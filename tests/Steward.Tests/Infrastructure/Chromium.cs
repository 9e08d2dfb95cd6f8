using Microsoft.Playwright;

namespace Steward.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright, one browser per test class (<c>IClassFixture&lt;Chromium&gt;</c>), each
/// test in a fresh context. test.sh installs chromium when it is missing; without it the tests are skipped, or fail
/// under CI. Screenshots of the main screens go to bin/…/screenshots/.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";
    public static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath)) return;
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A new page in a context of its own (its own cookies), on the app's HTTPS address (self-signed, so trusted here).</summary>
    public async Task<IPage> NewPageAsync(StewardApp app)
    {
        if (_browser is null)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
                throw new InvalidOperationException($"{ExecutablePath} is missing: test.sh installs it with apt-get (as root).");
            Assert.Skip($"No Chromium at {ExecutablePath} (test.sh installs it as root).");
        }
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.HttpsUrl, IgnoreHTTPSErrors = true, Locale = "en-GB" });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
