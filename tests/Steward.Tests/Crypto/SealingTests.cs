using System.Security.Cryptography;
using Steward.Crypto;

namespace Steward.Tests.Crypto;

public sealed class SealingTests
{
    private static readonly Guid ClientA = Guid.NewGuid(), ContactA = Guid.NewGuid(), ContactB = Guid.NewGuid();

    [Fact]
    public void A_sealed_value_opens_only_for_its_client_contact_and_field()
    {
        var material = RandomNumberGenerator.GetBytes(32);
        using var key = new DataKey(ClientA, ContactA, material);
        var sealedEmail = key.Seal("email", "jane@example.com")!;
        Assert.Equal("jane@example.com", key.OpenString("email", sealedEmail));
        Assert.Equal(1, sealedEmail[0]); // versioned ciphertext

        Assert.ThrowsAny<CryptographicException>(() => key.OpenString("phone", sealedEmail));            // moved to another field
        using var sameKeyOtherRow = new DataKey(ClientA, ContactB, material);
        Assert.ThrowsAny<CryptographicException>(() => sameKeyOtherRow.OpenString("email", sealedEmail)); // moved to another row
        using var otherKey = new DataKey(ClientA, ContactA, RandomNumberGenerator.GetBytes(32));
        Assert.ThrowsAny<CryptographicException>(() => otherKey.OpenString("email", sealedEmail));         // shredded key, new key
        sealedEmail[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => key.OpenString("email", sealedEmail));              // altered
    }

    [Fact]
    public void The_same_value_never_seals_to_the_same_ciphertext()
    {
        using var key = new DataKey(ClientA, ContactA, RandomNumberGenerator.GetBytes(32));
        var seen = new HashSet<string>();
        for (var i = 0; i < 10_000; i++) Assert.True(seen.Add(Convert.ToBase64String(key.Seal("email", "same@example.com")!)));
    }

    [Theory]
    [InlineData(" Mixed.Case@Example.COM ", "mixed.case@example.com")]
    [InlineData("+45 12-34 56 78", "+4512345678")]
    public void Lookup_values_are_normalised(string input, string expected) =>
        Assert.Equal(expected, input.Contains('@', StringComparison.Ordinal) ? BlindIndex.NormalizeEmail(input) : BlindIndex.NormalizePhone(input));
}

public sealed class KeyEncryptionKeyTests
{
    [Fact]
    public async Task Wrapping_and_unwrapping_on_many_threads_at_once_returns_every_key_intact()
    {
        using var kek = new KeyEncryptionKey(
            Microsoft.Extensions.Options.Options.Create(new KeyOptions { KeyEncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }),
            Microsoft.Extensions.Options.Options.Create(new Steward.Data.StorageOptions()),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<KeyEncryptionKey>.Instance);
        var failures = 0;
        await Parallel.ForAsync(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, (i, _) =>
        {
            var key = RandomNumberGenerator.GetBytes(32);
            var context = BitConverter.GetBytes(i);
            try
            {
                if (!kek.Unwrap(kek.Wrap(key, context), context).AsSpan().SequenceEqual(key)) Interlocked.Increment(ref failures);
            }
            catch (CryptographicException) { Interlocked.Increment(ref failures); }
            return ValueTask.CompletedTask;
        });
        Assert.Equal(0, failures);
    }
}
