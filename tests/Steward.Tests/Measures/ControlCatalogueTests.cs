using System.Net.Http.Json;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Steward.Measures;
using Steward.Tests.Breaches;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Measures;

public sealed class ControlCatalogueTests
{
    private static readonly HashSet<string> TestNames = typeof(ControlCatalogueTests).Assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        .Where(m => m.GetCustomAttributes().Any(a => a is TheoryAttribute or FactAttribute)).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);

    private static Task<List<ControlCatalogue.Entry>> CatalogueAsync(StewardApp app) => app.RunAsync(async sp =>
        ControlCatalogue.Of(await sp.GetRequiredService<MeasureRegister>().CurrentAsync(default), app.Clock.GetUtcNow(), 365));

    [Theory, ClassData(typeof(Engines))]
    public async Task P13_every_control_maps_to_art32_and_part_c_and_links_to_an_existing_test_or_dated_evidence_and_stale_evidence_is_flagged(Engine engine)
    {
        // the mapping covers the whole register, each control on at least one Art. 32 point and one Part C anchor
        Assert.Equal(MeasureRegister.Seeds.Select(s => s.Key).Order(StringComparer.Ordinal), ControlCatalogue.Controls.Select(c => c.Key).Order(StringComparer.Ordinal));
        foreach (var control in ControlCatalogue.Controls)
        {
            Assert.NotEmpty(control.Art32);
            Assert.All(control.Art32, point => Assert.Contains(point, ControlCatalogue.Art32Points));
            Assert.NotEmpty(control.PartC);
            Assert.All(control.PartC, anchor => Assert.True(anchor.StartsWith("C.", StringComparison.Ordinal) || anchor.StartsWith("API", StringComparison.Ordinal), anchor));
        }

        await using var app = await Compliance.StartAsync(engine);
        var catalogue = await CatalogueAsync(app);
        Assert.Equal(ControlCatalogue.Controls.Length, catalogue.Count);
        foreach (var entry in catalogue)
        {
            if (entry.ProvedBy is { } test)
            {
                Assert.True(TestNames.Contains(test), $"{entry.Key} links to a test that does not exist: {test}");
                Assert.False(entry.Stale, entry.Key);
            }
            else Assert.True(entry.Stale, entry.Key + " has no test and nobody attested it yet: it is flagged");
        }

        // a dated attestation within the review period is evidence; a year on, it is stale and flagged again
        var now = app.Clock.GetUtcNow();
        var attested = await (await app.DpoAsync()).PostAsJsonAsync("/v1/processor/measures/home-workplaces/evidence",
            new { kind = "attestation", evidence = "MDM report: 14 of 14 laptops with full-disk encryption", at = now.AddDays(-1) });
        Assert.Equal(System.Net.HttpStatusCode.OK, attested.StatusCode);
        var fresh = (await CatalogueAsync(app)).Single(e => e.Key == "home-workplaces");
        Assert.False(fresh.Stale);
        Assert.StartsWith("attestation: MDM report", fresh.Evidence, StringComparison.Ordinal);
        Assert.Equal(["32(1)(a)", "32(1)(b)"], fresh.Art32);

        app.Clock.Advance(TimeSpan.FromDays(365));
        var later = await CatalogueAsync(app);
        Assert.True(later.Single(e => e.Key == "home-workplaces").Stale);
        Assert.False(later.Single(e => e.Key == "tenant-isolation").Stale); // proved by its test on every run
    }
}
