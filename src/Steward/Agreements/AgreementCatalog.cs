using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Data;

namespace Steward.Agreements;

public sealed class AgreementOptions
{
    /// <summary>A folder of the operator's own documents (*.md with a front matter); the shipped templates otherwise.</summary>
    public string? TemplateDirectory { get; set; }

    /// <summary>`dpa.formation` (P-46, G-50): "click-through" (accepted at sign-up) or "signed" (a signed record before the client is active).</summary>
    public string Formation { get; set; } = ClickThrough;
    /// <summary>`dpa.lawChangeNoticeDays` (G-01): the least notice before a law-driven change takes effect.</summary>
    public int LawChangeNoticeDays { get; set; } = 30;
    /// <summary>The least notice before any other new version takes effect (P-48).</summary>
    public int ChangeNoticeDays { get; set; } = 30;

    public const string ClickThrough = "click-through";
    public const string Signed = "signed";
    /// <summary>The status of a client that waits for its signed DPA (G-50).</summary>
    public const string AwaitingSignature = "awaiting-signature";

    public bool SignedDpa => Formation == Signed;
}

/// <summary>
/// The deployment's legal documents as versioned records. Each template names its document, version and title
/// in a front matter; a version once published is never changed, a new text needs a new version.
/// </summary>
public sealed class AgreementCatalog(StewardDb db, IOptions<AgreementOptions> options, TimeProvider clock)
{
    public sealed record Template(string Document, string Version, string Title, string Body);

    /// <summary>The status a new client starts in: active, or waiting for its signed DPA (G-50).</summary>
    public string NewClientStatus => options.Value.SignedDpa ? AgreementOptions.AwaitingSignature : "active";

    public async Task PublishTemplatesAsync(CancellationToken ct)
    {
        foreach (var template in LoadTemplates(options.Value.TemplateDirectory))
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(template.Body)));
            var existing = await db.Agreements.SingleOrDefaultAsync(a => a.Document == template.Document && a.Version == template.Version, ct);
            if (existing is not null)
            {
                if (existing.BodySha256 != hash)
                    throw new InvalidOperationException($"The text of {template.Document} {template.Version} differs from the published one: give the new text a new version.");
                continue;
            }
            var now = clock.GetUtcNow();
            db.Agreements.Add(new Agreement
            {
                Id = Guid.CreateVersion7(),
                Document = template.Document,
                Version = template.Version,
                Title = template.Title,
                Body = template.Body,
                BodySha256 = hash,
                EffectiveFrom = now,
                PublishedAt = now,
            });
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The version of each document in force now: the latest that has taken effect.</summary>
    public async Task<List<Agreement>> CurrentAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var all = await db.Agreements.AsNoTracking().Where(a => a.EffectiveFrom <= now).ToListAsync(ct);
        return all.GroupBy(a => a.Document)
            .Select(g => g.OrderByDescending(a => a.EffectiveFrom).ThenByDescending(a => a.PublishedAt).First())
            .OrderBy(a => a.Document, StringComparer.Ordinal).ToList();
    }

    public static IEnumerable<Template> LoadTemplates(string? directory)
    {
        if (directory is not null)
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*.md").Order(StringComparer.Ordinal))
                yield return Parse(Path.GetFileNameWithoutExtension(file), File.ReadAllText(file));
            yield break;
        }
        var assembly = typeof(AgreementCatalog).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.Contains(".Agreements.Templates.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            var document = name.Split('.')[^2];
            yield return Parse(document, reader.ReadToEnd());
        }
    }

    private static Template Parse(string document, string text)
    {
        text = text.ReplaceLineEndings("\n");
        if (!text.StartsWith("---\n", StringComparison.Ordinal))
            throw new InvalidOperationException($"The template {document} has no front matter (---).");
        var end = text.IndexOf("\n---\n", 4, StringComparison.Ordinal);
        var header = text[4..end].Split('\n')
            .Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.Ordinal);
        return new Template(header.GetValueOrDefault("document", document),
            header.TryGetValue("version", out var v) ? v : throw new InvalidOperationException($"The template {document} has no version."),
            header.GetValueOrDefault("title", document), text[(end + 5)..].Trim() + "\n");
    }
}
