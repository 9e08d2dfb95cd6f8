using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Breaches;

/// <summary>Steward with a processor profile (DPO, CEO) ; the processor's endpoints are reached as the DPO.</summary>
public static class Compliance
{
    public const string Dpo = "dpo@processor.example";
    public const string Ceo = "ceo@processor.example";

    public static Task<StewardApp> StartAsync(Engine engine, Action<Dictionary<string, string?>>? more = null) =>
        StewardApp.StartAsync(engine, s =>
        {
            s["Steward:Processor:Name"] = "Steward Test Processor ApS";
            s["Steward:Processor:DpoName"] = "Dana Protect";
            s["Steward:Processor:DpoEmail"] = Dpo;
            s["Steward:Processor:CeoEmail"] = Ceo;
            more?.Invoke(s);
        });

    public static async Task<Guid> RecordBreachAsync(this StewardApp app, object body)
    {
        var response = await (await app.DpoAsync()).PostAsJsonAsync("/v1/processor/breaches", body);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> BreachAsync(this StewardApp app, Guid id) =>
        await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>($"/v1/processor/breaches/{id}");

    public static JsonElement ClockOf(JsonElement breach, Guid clientId) =>
        breach.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("clientId").GetGuid() == clientId);

    /// <summary>A complete Art. 33(3) assessment.</summary>
    public static readonly object Facts = new
    {
        subjectCategories = "newsletter subscribers",
        approxSubjects = "about 1,200",
        recordCategories = "email addresses, names",
        approxRecords = "about 1,200",
        consequences = "phishing attempts against the subscribers",
        measuresTaken = "credential revoked, access logs reviewed",
        measuresProposed = "rotate all API keys; subscribers warned by the clients",
    };

    public static Task<int> OutboxAsync(this StewardApp app, string kind, Guid? clientId = null) =>
        app.WithDbAsync((db, _) => db.OutboxMessages.CountAsync(m => m.Kind == kind && (clientId == null || m.ClientId == clientId)));

    public static async Task<T> RunAsync<T>(this StewardApp app, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }
}
