using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Steward.Crypto;

namespace Steward.OpenDsr;

/// <summary>
/// Signs OpenDSR responses and callbacks: RSASSA-PKCS1-v1_5 over SHA-256 of the exact body bytes, base64 (OpenDSR
/// 4.2, 7.3) — the protocol fixes this scheme, which Steward otherwise does not use (receipts are PS256). The key is
/// the operator's CA-issued certificate and key when configured; else a vault key with a self-signed certificate.
/// </summary>
public sealed class OpenDsrSigner(SigningKeys keys, KeyVault vault, IOptions<OpenDsrOptions> options)
{
    private readonly Lazy<X509Certificate2?> _configured = new(() => options.Value is { CertificateFile: { } cert, KeyFile: { } key }
        ? X509Certificate2.CreateFromPemFile(cert, key) : null);

    public async Task<string> SignAsync(byte[] body, CancellationToken ct)
    {
        using var rsa = _configured.Value?.GetRSAPrivateKey() ?? await keys.OpenAsync(SigningKeys.OpenDsr, ct);
        return Convert.ToBase64String(rsa.SignData(body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    /// <summary>The certificate controllers verify with (PEM), served at the discovery's <c>processor_certificate</c>.</summary>
    public async Task<string> CertificatePemAsync(CancellationToken ct)
    {
        if (_configured.Value is { } configured) return configured.ExportCertificatePem();
        var domain = options.Value.ProcessorDomain;
        using var rsa = await keys.OpenAsync(SigningKeys.OpenDsr, ct);
        var der = await vault.SecretAsync("opendsr-certificate/" + domain, () => SelfSigned(rsa, domain), ct);
        return PemEncoding.WriteString("CERTIFICATE", der);
    }

    private static byte[] SelfSigned(RSA rsa, string domain)
    {
        var request = new CertificateRequest($"CN={domain}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(domain);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        return certificate.Export(X509ContentType.Cert);
    }
}
