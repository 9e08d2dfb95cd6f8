using System.Collections.Concurrent;

namespace Steward.Tests.Infrastructure;

/// <summary>
/// The after-the-run scan (issue 10, tools/ScanRun): every personal value and every secret the tests create is
/// appended to <c>$STEWARD_TEST_RUN_DIR/canaries.tsv</c> ("personal" or "secret", a tab, the value), and the tests'
/// data directories and captured server logs live under that directory until test.sh scans it. Without the variable
/// (one test run from an IDE) nothing is recorded and data directories are temporary, deleted at the end.
/// </summary>
public static class Canaries
{
    public static readonly string? RunDirectory = Environment.GetEnvironmentVariable("STEWARD_TEST_RUN_DIR") is { Length: > 0 } dir ? dir : null;
    private static readonly ConcurrentDictionary<string, bool> Recorded = new(StringComparer.Ordinal);
    private static readonly Lock Append = new();

    public static string Personal(string value) => Record("personal", value);

    public static string Secret(string value) => Record("secret", value);

    /// <summary>Every text value of a test person (a contact's fields), as personal values.</summary>
    public static Dictionary<string, object?> PersonalValues(Dictionary<string, object?> person)
    {
        foreach (var value in person.Values.OfType<string>()) Personal(value);
        return person;
    }

    /// <summary>The fields that name a person in a request body (a contact, a subject's request): each string under them is recorded.</summary>
    private static readonly HashSet<string> PersonalFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "email", "emails", "firstName", "lastName", "phone", "address", "company", "name", "ownerName", "ownerEmail",
    };

    /// <summary>The personal values of a request body the tests send (a contact, a subject's request), by field name.</summary>
    public static T PersonalIn<T>(T body)
    {
        if (RunDirectory is null || body is null) return body;
        void Walk(System.Text.Json.JsonElement e, bool personal)
        {
            switch (e.ValueKind)
            {
                case System.Text.Json.JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject()) Walk(p.Value, PersonalFields.Contains(p.Name));
                    break;
                case System.Text.Json.JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray()) Walk(item, personal);
                    break;
                case System.Text.Json.JsonValueKind.String when personal:
                    Personal(e.GetString()!);
                    break;
            }
        }
        Walk(System.Text.Json.JsonSerializer.SerializeToElement(body, System.Text.Json.JsonSerializerOptions.Web), false);
        return body;
    }

    private static string Record(string kind, string value)
    {
        if (RunDirectory is null || value.Contains('\n', StringComparison.Ordinal) || value.Contains('\t', StringComparison.Ordinal)
            || !Recorded.TryAdd(kind + "\t" + value, true))
            return value;
        lock (Append)
        {
            File.AppendAllText(Path.Combine(RunDirectory, "canaries.tsv"), kind + "\t" + value + "\n");
            // line for line beside it, which test recorded the value: a hit then names the test to run again
            File.AppendAllText(Path.Combine(RunDirectory, "canary-tests.txt"), CurrentTest + "\n");
        }
        return value;
    }

    private static string CurrentTest => TestContext.Current.Test?.TestDisplayName.ReplaceLineEndings(" ") ?? "(no test)";

    /// <summary>A new data directory: under the run directory while a scanned run lasts, else a temporary one.</summary>
    public static string NewDataDirectory(string prefix)
    {
        if (RunDirectory is null) return Directory.CreateTempSubdirectory(prefix).FullName;
        var name = prefix + Guid.NewGuid().ToString("N")[..12];
        // which test made it, so that a hit in its files names the test (the scan reads this file, never scans it)
        lock (Append) File.AppendAllText(Path.Combine(RunDirectory, "data-tests.tsv"), name + "\t" + CurrentTest + "\n");
        return Directory.CreateDirectory(Path.Combine(RunDirectory, "data", name)).FullName;
    }

    /// <summary>Whether a test may delete its data directory at its end: not while a scanned run keeps it for the scan.</summary>
    public static bool KeepData => RunDirectory is not null;

    /// <summary>A server's captured log, kept for the scan (nothing without a run directory).</summary>
    public static void KeepLog(string name, IEnumerable<string> lines)
    {
        if (RunDirectory is null) return;
        var logs = Directory.CreateDirectory(Path.Combine(RunDirectory, "logs")).FullName;
        File.WriteAllLines(Path.Combine(logs, name + "-" + Guid.NewGuid().ToString("N")[..12] + ".log"), lines);
    }
}
