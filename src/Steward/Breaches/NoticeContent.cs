using System.Globalization;
using System.Text;

namespace Steward.Breaches;

/// <summary>
/// The content of a breach notice: every element of Art. 33(3) (and P-41). A notice cannot go while an element is
/// empty; what is not yet known is written "to follow" and completed in a follow-up phase (Art. 33(4)).
/// </summary>
public static class NoticeContent
{
    public static List<string> Missing(Breach b, string? dpoContact)
    {
        var missing = new List<string>();
        void Need(string name, string? value) { if (string.IsNullOrWhiteSpace(value)) missing.Add(name); }
        Need("nature", b.Nature);
        Need("subjectCategories", b.SubjectCategories);
        Need("approxSubjects", b.ApproxSubjects);
        Need("recordCategories", b.RecordCategories);
        Need("approxRecords", b.ApproxRecords);
        Need("consequences", b.Consequences);
        if (string.IsNullOrWhiteSpace(b.MeasuresTaken) && string.IsNullOrWhiteSpace(b.MeasuresProposed)) missing.Add("measuresTaken");
        Need("dpoContact", dpoContact);
        return missing;
    }

    /// <summary>True while some element is only "to follow": the notice is a phase, not the full picture.</summary>
    public static bool Partial(Breach b) =>
        new[] { b.SubjectCategories, b.ApproxSubjects, b.RecordCategories, b.ApproxRecords, b.Consequences, b.MeasuresTaken, b.MeasuresProposed }
            .Any(v => string.Equals(v?.Trim(), Breach.ToFollow, StringComparison.OrdinalIgnoreCase));

    public static string Compose(Breach b, string processorName, string dpoContact, string addressee, string kind, int phase, string? lateReason)
    {
        static string F(DateTimeOffset? at) => at?.ToString("u", CultureInfo.InvariantCulture) ?? "not known";
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"To: {addressee}");
        text.AppendLine(CultureInfo.InvariantCulture, $"From: {processorName}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Breach reference: {b.Id}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Notice: {kind}, phase {phase}{(Partial(b) ? " (some facts are to follow in a further phase, Art. 33(4))" : "")}");
        text.AppendLine();
        text.AppendLine(kind == "advisory"
            ? "We are investigating a suspected security incident that may affect personal data we process for you. It is not yet confirmed."
            : b.Kind == "threatened"
                ? "A threatened personal data breach affects personal data we process for you."
                : "A personal data breach has occurred affecting personal data we process for you.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Detected: {F(b.DetectedAt)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Aware since: {F(b.AwareAt)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Occurred: {F(b.OccurredAt)}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Nature of the breach: {b.Nature}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Categories of data subjects: {b.SubjectCategories}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Approximate number of data subjects: {b.ApproxSubjects}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Categories of personal data records: {b.RecordCategories}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Approximate number of records: {b.ApproxRecords}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Likely consequences: {b.Consequences}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Measures taken: {b.MeasuresTaken ?? "none yet"}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Measures proposed, including mitigation: {b.MeasuresProposed ?? "none yet"}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Data protection officer (contact point): {dpoContact}");
        if (lateReason is not null)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Reason for the delay: {lateReason}");
        }
        return text.ToString();
    }
}
