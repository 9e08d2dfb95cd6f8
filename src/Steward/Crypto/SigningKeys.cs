using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Steward.Clients;

namespace Steward.Crypto;

/// <summary>
/// The deployment's RSA signing keys, one per use so that no key serves two algorithms: <c>consent-receipts</c>
/// (JWS PS256, RFC 7515/7518) and <c>opendsr</c> (RSASSA-PKCS1-v1_5 over SHA-256, which the OpenDSR protocol fixes).
/// Each is generated once (RSA 3072) and kept in the key vault wrapped by the KEK; its public half is published as a
/// JWK whose id is its RFC 7638 thumbprint. An RSA object is made per use: they are not shared across threads.
/// </summary>
public sealed class SigningKeys(KeyVault vault)
{
    public const string Receipts = "consent-receipts";
    public const string OpenDsr = "opendsr";

    private readonly ConcurrentDictionary<string, string> _kids = new(StringComparer.Ordinal);

    public async Task<RSA> OpenAsync(string use, CancellationToken ct)
    {
        var pkcs8 = await vault.SecretAsync("signing-key/" + use, () =>
        {
            using var fresh = RSA.Create(3072);
            return fresh.ExportPkcs8PrivateKey();
        }, ct);
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return rsa;
    }

    public async Task<JsonObject> PublicJwkAsync(string use, string alg, CancellationToken ct)
    {
        using var rsa = await OpenAsync(use, ct);
        var p = rsa.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = alg,
            ["kid"] = Thumbprint(p),
            ["n"] = SignUp.Base64Url(p.Modulus!),
            ["e"] = SignUp.Base64Url(p.Exponent!),
        };
    }

    public async Task<string> KidAsync(string use, CancellationToken ct)
    {
        if (_kids.TryGetValue(use, out var kid)) return kid;
        using var rsa = await OpenAsync(use, ct);
        return _kids.GetOrAdd(use, Thumbprint(rsa.ExportParameters(false)));
    }

    /// <summary>RFC 7638: SHA-256 over the required members in lexicographic order, no white space.</summary>
    public static string Thumbprint(RSAParameters p) => SignUp.Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(
        $$"""{"e":"{{SignUp.Base64Url(p.Exponent!)}}","kty":"RSA","n":"{{SignUp.Base64Url(p.Modulus!)}}"}""")));
}
