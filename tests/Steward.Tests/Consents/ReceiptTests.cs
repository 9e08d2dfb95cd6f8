using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Steward.Tests.Infrastructure;
using Steward.Tests.Requests;

namespace Steward.Tests.Consents;

public sealed class ReceiptTests
{
    private static byte[] FromBase64Url(string s) =>
        Convert.FromBase64String(s.Replace('-', '+').Replace('_', '/') + new string('=', (4 - s.Length % 4) % 4));

    /// <summary>Verifies a compact JWS with nothing but the published JWKS: the subject's proof needs no secret.</summary>
    public static bool Verify(string jws, JsonElement jwks)
    {
        var parts = jws.Split('.');
        var header = JsonDocument.Parse(FromBase64Url(parts[0])).RootElement;
        if (header.GetProperty("alg").GetString() != "PS256") return false;
        var jwk = jwks.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == header.GetProperty("kid").GetString());
        using var rsa = RSA.Create(new RSAParameters { Modulus = FromBase64Url(jwk.GetProperty("n").GetString()!), Exponent = FromBase64Url(jwk.GetProperty("e").GetString()!) });
        return rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task B9_every_consent_has_a_signed_receipt_with_the_kantara_and_iso_27560_fields_that_the_public_key_alone_verifies(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:Requests:Recipients:0"] = "Mailchimp");
        var tenant = await app.SignUpAsync("Acme Shop");
        var widget = await ConsentTests.DefineNewsletterAsync(tenant);
        var submitted = await (await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions",
            new { fields = new { email = "rita@example.com", firstName = "Rita" }, consents = new { newsletter = true } })).JsonAsync();
        var given = Assert.Single(submitted.GetProperty("consents").EnumerateArray());
        var url = given.GetProperty("receiptUrl").GetString()!;

        var body = await app.Anonymous().GetFromJsonAsync<JsonElement>(url);
        var receipt = body.GetProperty("receipt");
        Assert.Equal("KI-CR-v1.1.0", receipt.GetProperty("version").GetString());
        Assert.Equal("EU", receipt.GetProperty("jurisdiction").GetString());
        Assert.Equal(app.Clock.GetUtcNow().ToUnixTimeSeconds(), receipt.GetProperty("consentTimestamp").GetInt64());
        Assert.Contains("explicit opt-in", receipt.GetProperty("collectionMethod").GetString(), StringComparison.Ordinal);
        Assert.Equal(given.GetProperty("id").GetString(), receipt.GetProperty("consentReceiptID").GetString());
        Assert.Equal("rita@example.com", receipt.GetProperty("piiPrincipalId").GetString());
        Assert.Equal("Acme Shop", receipt.GetProperty("piiControllers")[0].GetProperty("piiController").GetString());
        Assert.False(string.IsNullOrEmpty(receipt.GetProperty("policyUrl").GetString()));
        var purpose = receipt.GetProperty("services")[0].GetProperty("purposes")[0];
        Assert.Equal(ConsentTests.NewsletterText, purpose.GetProperty("purpose").GetString());
        Assert.Equal("EXPLICIT", purpose.GetProperty("consentType").GetString());
        Assert.Equal(["email", "firstName"], purpose.GetProperty("piiCategory").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["marketing"], purpose.GetProperty("purposeCategory").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal((true, "Mailchimp"), (purpose.GetProperty("thirdPartyDisclosure").GetBoolean(), purpose.GetProperty("thirdPartyName").GetString()));
        Assert.False(receipt.GetProperty("sensitive").GetBoolean());
        var iso = receipt.GetProperty("iso27560");
        foreach (var field in new[] { "schemaVersion", "recordId", "piiPrincipalId", "privacyNotice", "language", "purpose", "piiInformation", "piiControllers",
                     "storageLocations", "retentionPeriod", "jurisdiction", "recipientThirdParties", "withdrawalMethod", "lawfulBasis", "collectionMethod" })
            Assert.True(iso.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null, field);
        Assert.StartsWith("/v1/public/consents/withdraw?token=", iso.GetProperty("withdrawalMethod").GetString(), StringComparison.Ordinal);
        Assert.Equal("given", iso.GetProperty("state").GetProperty("current").GetString());

        // the subject proves it later with the public key only; a changed receipt no longer verifies
        var jws = body.GetProperty("jws").GetString()!;
        var jwks = await app.Anonymous().GetFromJsonAsync<JsonElement>("/v1/public/keys");
        Assert.True(Verify(jws, jwks));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(receipt.GetRawText()),
            System.Text.Json.Nodes.JsonNode.Parse(FromBase64Url(jws.Split('.')[1]))));
        var forged = JsonSerializer.SerializeToUtf8Bytes(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(FromBase64Url(jws.Split('.')[1]))!
            .Select(p => p.Key == "piiPrincipalId" ? new KeyValuePair<string, JsonElement>(p.Key, JsonSerializer.SerializeToElement("mallory@example.com")) : p)
            .ToDictionary());
        var parts = jws.Split('.');
        Assert.False(Verify(parts[0] + "." + Steward.Clients.SignUp.Base64Url(forged) + "." + parts[2], jwks));

        using (var asJwt = new HttpRequestMessage(HttpMethod.Get, url))
        {
            asJwt.Headers.Accept.ParseAdd("application/jwt");
            var alone = await (await app.Anonymous().SendAsync(asJwt)).Content.ReadAsStringAsync();
            Assert.Equal(jws[..jws.LastIndexOf('.')], alone[..alone.LastIndexOf('.')]); // PSS signs with fresh randomness: same content,
            Assert.True(Verify(alone, jwks));                                            // another signature, both valid
        }
        using (var asHtml = new HttpRequestMessage(HttpMethod.Get, url))
        {
            asHtml.Headers.Accept.ParseAdd("text/html");
            Assert.Contains("Your consent receipt", await (await app.Anonymous().SendAsync(asHtml)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        await (await app.Anonymous().GetAsync(url[..^3] + "AAA")).AssertProblemAsync(404);

        // the receipt link travels in the access package; after erasure the receipt is gone
        var request = await RequestTests.CreateRequestAsync(tenant, new { type = "access", emails = new[] { "rita@example.com" } });
        Assert.Equal(HttpStatusCode.OK, (await RequestTests.MoveAsync(tenant, request, "verified")).StatusCode);
        var fulfilled = await (await tenant.Http.PostAsJsonAsync($"{tenant.Base}/requests/{request.GetProperty("id")}/fulfilment", new { })).JsonAsync();
        var package = await app.Anonymous().GetFromJsonAsync<JsonElement>(fulfilled.GetProperty("package").GetProperty("downloadUrl").GetString());
        Assert.Equal(url, Assert.Single(package.GetProperty("consents").EnumerateArray()).GetProperty("receiptUrl").GetString());
        var contactId = package.GetProperty("subject").GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{contactId}/erase", null)).StatusCode);
        await (await app.Anonymous().GetAsync(url)).AssertProblemAsync(410);
    }
}
