using System.Net;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Verification;

/// <summary>
/// Scaling out starts several nodes at once on one empty database (G-38, docs/operations.md scale-out): each one's
/// start migrates, creates the key vault's, ledger's and catalogue's tables and seeds the documents and registers.
/// Run side by side those steps raced (CREATE … IF NOT EXISTS is not safe against itself on PostgreSQL, and a seed
/// checked then inserted); now one start waits for the other and both serve.
/// </summary>
public sealed class StartupTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task G38_two_nodes_starting_at_once_on_one_empty_database_both_start_and_serve(Engine engine)
    {
        await using var a = await Deployment.CreateAsync(engine);
        await using var b = a.AnotherNode();
        await Task.WhenAll(a.StartAsync(), b.StartAsync());

        // each serves: a client signed up through one is read through the other, and the seeds exist once
        var (clientId, apiKey) = await a.SignUpAsync();
        using var http = b.Client(apiKey);
        var response = await http.GetAsync($"/v1/clients/{clientId}/contacts");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, await a.ScalarAsync(
            "SELECT COUNT(*) FROM (SELECT \"Document\", \"Version\" FROM \"Agreements\" GROUP BY \"Document\", \"Version\" HAVING COUNT(*) > 1) twice"));
    }
}
