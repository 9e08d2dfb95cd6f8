using Microsoft.Extensions.Options;
using Steward.Data;
using Steward.SubProcessors;

namespace Steward.Backups;

/// <summary>Backups of the data database (P-19, G-29). Bound from <c>Steward:Backups</c>.</summary>
public sealed class BackupOptions
{
    /// <summary>Where backup files go; default <c>{DataDirectory}/backups</c>.</summary>
    public string? Location { get; set; }

    /// <summary>The country the location is in (ISO 3166 alpha-2), as the operator states it.</summary>
    public string Region { get; set; } = "DE";

    /// <summary>Where backups may be kept; default the EEA (P-19). A location elsewhere stops Steward at start.</summary>
    public string[]? AllowedRegions { get; set; }

    /// <summary>Days a backup is kept; then its file is deleted and its key destroyed.</summary>
    public int RetentionDays { get; set; } = 14;

    /// <summary>Hours between scheduled backups (the job takes one when the latest is this old).</summary>
    public int IntervalHours { get; set; } = 24;

    public IReadOnlyCollection<string> EffectiveAllowedRegions =>
        AllowedRegions is { Length: > 0 } regions ? regions : TransferGate.Eea;

    public string FullLocation(StorageOptions storage) =>
        Path.GetFullPath(Location ?? Path.Combine(storage.FullDataDirectory, "backups"));
}

/// <summary>Refuses, at start, a backup location outside the allowed regions, saying which and why.</summary>
public sealed class BackupOptionsValidation(IOptions<StorageOptions> storage) : IValidateOptions<BackupOptions>
{
    public ValidateOptionsResult Validate(string? name, BackupOptions options)
    {
        if (options.RetentionDays < 1 || options.IntervalHours < 1)
            return ValidateOptionsResult.Fail("Steward:Backups: RetentionDays and IntervalHours must be at least 1.");
        if (!options.EffectiveAllowedRegions.Contains(options.Region?.Trim() ?? "", StringComparer.OrdinalIgnoreCase))
            return ValidateOptionsResult.Fail(
                $"Steward:Backups: the backup location {options.FullLocation(storage.Value)} is in region '{options.Region}', which is not " +
                $"among Steward:Backups:AllowedRegions ({string.Join(", ", options.EffectiveAllowedRegions.Order(StringComparer.Ordinal))}). " +
                "Choose a location in an allowed region (P-19).");
        return ValidateOptionsResult.Success;
    }
}
