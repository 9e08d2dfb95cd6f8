namespace Steward.Retention;

/// <summary>Deployment defaults of the retention terms (REQUIREMENTS A.3); a client's DPA terms override them.</summary>
public sealed class RetentionOptions
{
    /// <summary>`retention.postTerminationDays`: days a cancelled client's data stay, restorable, before the purge (P-20).</summary>
    public int PostTerminationDays { get; set; } = 90;
    /// <summary>`softDelete.restoreDays`: days a deleted contact stays in the trash (G-44); 0 = delete means erase.</summary>
    public int RestoreDays { get; set; } = 60;
    /// <summary>`export.freeCount`: return exports at termination that are free (G-21); later ones are counted billable.</summary>
    public int ExportFreeCount { get; set; } = 1;
    /// <summary>Days a sent message's content (recipient, subject, body) stays readable in the outbox; its delivery record stays.</summary>
    public int OutboxDays { get; set; } = 30;
}

/// <summary>The two seeds' retention terms, for a client whose DPA follows one of them.</summary>
public static class RetentionPlans
{
    public sealed record Plan(int PostTerminationDays, int RestoreDays, int ExportFreeCount);

    /// <summary>Personizely: 90 days' grace (P-20), no trash (deleting erases), every export free (P-10).</summary>
    public static readonly Plan Personizely = new(90, 0, int.MaxValue);
    /// <summary>GenieBelt: purge 60 days after termination (G-45), 60-day trash (G-44), the first export free (G-21).</summary>
    public static readonly Plan GenieBelt = new(60, 60, 1);

    public static Plan? Find(string? name) => name?.ToLowerInvariant() switch
    {
        "personizely" => Personizely,
        "geniebelt" => GenieBelt,
        _ => null,
    };
}
