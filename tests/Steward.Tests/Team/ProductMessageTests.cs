using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Steward.Http;
using Steward.Instructions;
using Steward.Team;
using Steward.Tests.Breaches;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Team;

public sealed class ProductMessageTests
{
    private static Task<Result<ProductMessages.Outcome>> SendAsync(StewardApp app, Guid clientId) =>
        app.RunAsync(sp => sp.GetRequiredService<ProductMessages>().SendAsync(clientId, "[Steward] Tip: import your contacts", "Did you know you can import a CSV?", null, default));

    private static async Task<List<string>> PurposesAsync(StewardApp.Tenant tenant)
    {
        var record = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/records-of-processing");
        return [.. record.GetProperty("controllers")[0].GetProperty("categoriesOfProcessing").EnumerateArray().Select(c => c.GetProperty("purpose").GetString()!)];
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G43_product_messages_to_a_clients_users_are_a_recorded_purpose_and_an_opted_out_user_receives_none(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:Instructions:ProductMessagesToUsers"] = "true");
        var (tenant, owner) = await app.SignUpWithOwnerAsync();
        var member = await app.InviteAsync(owner, "member");
        Assert.Contains(Purposes.ProductMessages, await PurposesAsync(tenant));

        Assert.Equal(new ProductMessages.Outcome(2, 0), (await SendAsync(app, tenant.ClientId)).Value);
        Assert.Equal(HttpStatusCode.OK, (await member.Http.PostAsync("/v1/client-users/me/product-messages/opt-out", null)).StatusCode);
        Assert.Equal(new ProductMessages.Outcome(1, 1), (await SendAsync(app, tenant.ClientId)).Value);
        var mails = await app.ReadAsync(ProductMessages.Kind);
        Assert.Equal(2, mails.Count(m => m.To == owner.Email));
        Assert.Single(mails, m => m.To == member.Email);
        Assert.Contains("opt-out", mails[0].Body);

        // where the DPA does not allow such messages, the purpose is not in the record and nothing is sent
        app.Services.GetRequiredService<IOptions<InstructionOptions>>().Value.ProductMessagesToUsers = false;
        Assert.DoesNotContain(Purposes.ProductMessages, await PurposesAsync(tenant));
        Assert.False((await SendAsync(app, tenant.ClientId)).IsSuccess);
        Assert.Equal(3, (await app.ReadAsync(ProductMessages.Kind)).Count);
    }
}
