namespace Steward.Access;

/// <summary>What sign-in keeps about an account (a staff member or a client user): failures, lockouts, the last TOTP step.</summary>
public interface ISignInAccount
{
    int FailedSignIns { get; set; }
    int Lockouts { get; set; }
    DateTimeOffset? LockedUntil { get; set; }
    long? TotpLastStep { get; set; }
}

/// <summary>
/// Per-account lockout (G-30, ASVS V2.2.1), the same for staff and client users: after
/// <see cref="AccessOptions.MaxFailedSignIns"/> failures in a row the account is locked for
/// <see cref="AccessOptions.FirstLockout"/>, twice as long at each further lockout, at most
/// <see cref="AccessOptions.MaxLockout"/>. The per-IP limit is the rate limiter's.
/// </summary>
public static class Lockout
{
    public static void Fail(ISignInAccount account, AccessOptions o, DateTimeOffset now)
    {
        account.FailedSignIns++;
        if (account.FailedSignIns < o.MaxFailedSignIns) return;
        account.FailedSignIns = 0;
        account.Lockouts++;
        var delay = o.FirstLockout * Math.Pow(2, Math.Min(account.Lockouts - 1, 20));
        account.LockedUntil = now + (delay < o.MaxLockout ? delay : o.MaxLockout);
    }

    public static void Succeed(ISignInAccount account)
    {
        account.FailedSignIns = 0;
        account.Lockouts = 0;
        account.LockedUntil = null;
    }

    /// <summary>The TOTP step of a valid, never-used code, recorded as the last one; null for a wrong or replayed code.</summary>
    public static long? AcceptTotp(ISignInAccount account, byte[] secret, string? code, DateTimeOffset now)
    {
        var step = Credentials.TotpStep(secret, code, now);
        if (step is null || step <= account.TotpLastStep) return null;
        account.TotpLastStep = step; // a concurrency token: two requests racing with one code cannot both commit
        return step;
    }
}
