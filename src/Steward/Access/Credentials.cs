using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using OtpNet;
using Steward.Clients;

namespace Steward.Access;

/// <summary>
/// The pieces of staff sign-in that need no database: tokens, recovery codes, TOTP codes, the common-password list.
/// </summary>
public static class Credentials
{
    public const string TokenPrefix = "sts_";
    private static readonly Lazy<HashSet<string>> Common = new(LoadCommon);

    /// <summary>A session or invitation token: 256 random bits; only its SHA-256 is stored.</summary>
    public static (string Token, byte[] Hash) NewToken(string prefix = TokenPrefix)
    {
        var token = prefix + SignUp.Base64Url(RandomNumberGenerator.GetBytes(32));
        return (token, Hash(token));
    }

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Ten recovery codes of 100 random bits each (20 base32 characters, shown in groups of five).</summary>
    public static List<string> NewRecoveryCodes() =>
        Enumerable.Range(0, 10).Select(_ =>
        {
            var code = Base32Encoding.ToString(RandomNumberGenerator.GetBytes(13))[..20].ToLowerInvariant();
            return string.Join('-', code.Chunk(5).Select(c => new string(c)));
        }).ToList();

    public static byte[] HashRecoveryCode(string code) => Hash(code.Trim().Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant());

    /// <summary>A new TOTP secret (160 bits, RFC 6238's SHA-1 default, which every authenticator app reads).</summary>
    public static byte[] NewTotpSecret() => KeyGeneration.GenerateRandomKey(20);

    public static string TotpUri(byte[] secret, string account) =>
        $"otpauth://totp/Steward:{Uri.EscapeDataString(account)}?secret={Base32Encoding.ToString(secret).TrimEnd('=')}&issuer=Steward&period=30&digits=6";

    /// <summary>
    /// The time step a code belongs to, if it is valid at <paramref name="now"/> within one step either way (30 s
    /// steps, ASVS V2.8.1). The caller refuses any step not later than the last one accepted (no replay).
    /// </summary>
    public static long? TotpStep(byte[] secret, string? code, DateTimeOffset now)
    {
        if (code is not { Length: 6 } || !code.All(char.IsAsciiDigit)) return null;
        var totp = new Totp(secret);
        return totp.VerifyTotp(now.UtcDateTime, code, out var step, new VerificationWindow(previous: 1, future: 1)) ? step : null;
    }

    public static string TotpCode(byte[] secret, DateTimeOffset at) => new Totp(secret).ComputeTotp(at.UtcDateTime);

    /// <summary>ASVS V2.1: 12 to 128 characters, no composition rules, not one of the most common passwords.</summary>
    public static string? PasswordProblem(string? password)
    {
        if (password is null || password.Length < 12) return "Choose a password of at least 12 characters.";
        if (password.Length > 128) return "The password may have at most 128 characters.";
        if (IsCommon(password)) return "This password is one of the most common ones: choose another.";
        return null;
    }

    public static bool IsCommon(string password)
    {
        var p = password.Trim().ToLowerInvariant();
        return Common.Value.Contains(p) || p.Distinct().Count() <= 2;
    }

    private static HashSet<string> LoadCommon()
    {
        using var stream = typeof(Credentials).Assembly.GetManifestResourceStream("Steward.Access.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is not embedded.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && !line.StartsWith('#')) set.Add(line.Trim().ToLowerInvariant());
        return set;
    }
}
