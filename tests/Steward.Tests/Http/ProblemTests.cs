using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Http;

public sealed class ProblemTests
{
    [Fact]
    public void API4_an_overloaded_database_is_a_503_to_retry_and_a_fault_stays_a_500()
    {
        // what the soak saw under overload on PostgreSQL: EF's "transient failure" around Npgsql's read timeout
        var timeout = new InvalidOperationException("An exception has been raised that is likely due to a transient failure.",
            new Npgsql.NpgsqlException("Exception while reading from stream", new TimeoutException("Timeout during reading attempt")));
        Assert.Equal((503, "unavailable"), Status(timeout));
        Assert.Equal((503, "unavailable"), Status(new Microsoft.Data.Sqlite.SqliteException("database is locked", 5)));
        Assert.Equal((500, "internal"), Status(new Microsoft.Data.Sqlite.SqliteException("constraint failed", 19)));
        Assert.Equal((500, "internal"), Status(new InvalidOperationException("a bug")));
        // text with a NUL that reached PostgreSQL by a form or a JSON element: the caller's fault, and rolled back
        Assert.Equal((400, "invalid-text"), Status(new Microsoft.EntityFrameworkCore.DbUpdateException("save",
            new Npgsql.PostgresException("invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", "ERROR", "22021"))));
        Assert.Equal((400, "invalid-text"), Status(new InvalidOperationException("write", new System.Text.EncoderFallbackException("lone surrogate"))));

        static (int, string) Status(Exception e)
        {
            var (status, type, _) = Steward.Http.ProblemHandling.Classify(e);
            return (status, type);
        }
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Bad_input_gets_a_problem_response_and_changes_nothing(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var url = tenant.Base + "/contacts";
        string[] bodies =
        [
            "{", "[]", "\"text\"", "null", """{"email": 42}""", """{"email":"not-an-email"}""", """{"isAdmin":true}""",
            """{"clientId":"00000000-0000-0000-0000-000000000000"}""", """{"email":"a@b.co","ipAddress":"999.1.1.1"}""",
            """{"firstName":"a\u0000b"}""", "{\"bio\":\"" + new string('x', 20_000) + "\"}", new string('[', 5000) + new string(']', 5000),
            """{"email":"'; DROP TABLE \"Contacts\"; --@x.com"}""", """{"custom":{"../../etc/passwd":1}}""",
        ];
        foreach (var body in bodies)
        {
            var response = await tenant.Http.PostRawAsync(url, body);
            var problem = await response.AssertProblemAsync(400);
            Assert.StartsWith("https://steward.example/problems/", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var invalidUtf8 = new ByteArrayContent([(byte)'{', (byte)'"', (byte)'b', (byte)'i', (byte)'o', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}']);
        invalidUtf8.Headers.ContentType = new("application/json");
        await (await tenant.Http.PostAsync(url, invalidUtf8)).AssertProblemAsync(400);

        var huge = await tenant.Http.PostRawAsync(url, "{\"bio\":\"" + new string('x', 2_000_000) + "\"}");
        await huge.AssertProblemAsync(413);
        await (await tenant.Http.GetAsync(tenant.Base + "/nothing-here")).AssertProblemAsync(404);
        await (await tenant.Http.GetAsync(tenant.Base + "/contacts/not-a-guid")).AssertProblemAsync(404);

        Assert.Equal(0, await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().CountAsync()));
    }

    /// <summary>
    /// ASVS V5.1: text never holds a NUL. PostgreSQL refuses one in text outright; Steward refuses it first, on both
    /// engines, in any field of a request body, with the field's path. Found by the hostile-input sweep in fields with no
    /// check of their own (a legal hold's reason, a breach's reference, an instruction flag).
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task V5_text_with_a_NUL_in_any_body_field_is_a_400_naming_the_field_and_changes_nothing(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (_, dpo) = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();

        var refused = await dpo.Http.PostAsJsonAsync("/v1/legal-holds", new { clientId = tenant.ClientId, reason = "audit\u0000request" });
        var problem = await refused.AssertProblemAsync(400);
        Assert.Contains("$.reason", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("NUL", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.LegalHolds.IgnoreQueryFilters().CountAsync()));

        // the same text without it is a hold
        Assert.Equal(HttpStatusCode.Created, (await dpo.Http.PostAsJsonAsync("/v1/legal-holds", new { clientId = tenant.ClientId, reason = "audit request" })).StatusCode);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task The_api_is_described_by_openapi_with_an_interactive_reference(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var document = await app.Anonymous().GetStringAsync("/openapi/v1.json");
        foreach (var route in new[] { "/v1/signup", "/v1/agreements", "/v1/clients/{clientId}/contacts", "/v1/public/widgets/{widgetId}/submissions", "/v1/public/consents/withdraw" })
            Assert.Contains($"\"{route}\"", document, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/reference/")).StatusCode);
    }
}
