// The after-the-run scan (issue 10, "secrets and personal data"): test.sh runs it after `dotnet test`.
//
//   ScanRun <run dir> [--log <file>]... [--maildev <url>]
//
// It reads <run dir>/canaries.tsv (every personal value and secret the tests created, recorded by
// tests/Steward.Tests/Infrastructure/Canaries.cs) and looks for each value, in clear and URL-encoded, ignoring case:
//   - personal values and secrets in the logs: each --log file (the test run's own output) and <run dir>/logs/*
//     (the server logs the tests captured);
//   - personal values in every other file under <run dir>: the tests' data directories (SQLite databases and their
//     journals, backups, exports, the file mail drop);
//   - personal values in the maildev drop (GET <url>/api/email): each mail's subject, text and HTML bodies.
// Explicit exclusions, and only these:
//   E1 a mail's envelope and To/Cc headers: the address a mail goes to is its recipient's own (a data subject's address
//      on a mail to the subject). In .eml files those header lines are skipped; from maildev only subject and bodies are read.
//   E2 the manual erasure task (P-09, subject "[Steward] Erasure request …"): its body names the person to delete, by
//      design, to the vendor who holds that person's data.
//   E3 values shorter than 8 characters are not checked: they match unrelated text ("Jane" in "Janet", a placeholder
//      name "Before" in a test's name "…_before_…").
// It prints figures as "scan: …" lines and every hit as the value's kind and number in canaries.tsv and where (file and
// byte offset, or mail and part), with the test that recorded the value and the test that made the data directory
// (canary-tests.txt and data-tests.tsv, written beside it), never the value; it exits 1 on any hit.
using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

var watch = Stopwatch.StartNew();
if (args.Length < 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: ScanRun <run dir> [--log <file>]... [--maildev <url>]");
    return 2;
}
var runDir = Path.GetFullPath(args[0]);
var logs = new List<string>();
string? maildev = null;
for (var i = 1; i < args.Length - 1; i++)
    if (args[i] == "--log") logs.Add(args[++i]);
    else if (args[i] == "--maildev") maildev = args[++i];

var canaryFile = Path.Combine(runDir, "canaries.tsv");
// beside it, written by the tests: the test that recorded each value (line for line), and the test that made each data
// directory; read to name them in a hit, never scanned (test names are not personal values)
var (recordedByFile, madeByFile) = (Path.Combine(runDir, "canary-tests.txt"), Path.Combine(runDir, "data-tests.tsv"));
var recordedBy = File.Exists(recordedByFile) ? File.ReadAllLines(recordedByFile) : [];
var madeBy = File.Exists(madeByFile)
    ? File.ReadAllLines(madeByFile).Select(l => l.Split('\t', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal)
    : [];
string Origin(int line, string where)
{
    var test = line <= recordedBy.Length ? recordedBy[line - 1] : "?";
    var relative = Path.GetRelativePath(runDir, where).Split(Path.DirectorySeparatorChar);
    var dir = relative.Length > 2 && relative[0] == "data" && madeBy.TryGetValue(relative[1], out var by) ? $"; its directory made by {by}" : "";
    return $" (value recorded by {test}{dir})";
}
var canaries = File.Exists(canaryFile)
    ? File.ReadAllLines(canaryFile).Select((line, n) => (Line: n + 1, Parts: line.Split('\t', 2))).Where(c => c.Parts.Length == 2 && c.Parts[1].Length >= 8)
        .Select(c => new Canary(c.Line, c.Parts[0], c.Parts[1])).ToList()
    : [];
// the text is read as Latin-1, one char a byte, so an offset is a byte offset; a value is sought as its UTF-8 bytes
static string AsBytes(string value) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(value));
var forms = canaries.SelectMany(c => new[] { c.Value, Uri.EscapeDataString(c.Value) }.Distinct(StringComparer.Ordinal).Select(f => (Form: AsBytes(f), Canary: c)))
    .GroupBy(f => f.Form, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Select(f => f.Canary).ToList(), StringComparer.OrdinalIgnoreCase);
var personal = forms.Where(f => f.Value.Any(c => c.Kind == "personal")).Select(f => f.Key).ToArray();
var everything = forms.Keys.ToArray();
var personalSearch = SearchValues.Create(personal, StringComparison.OrdinalIgnoreCase);
var allSearch = SearchValues.Create(everything, StringComparison.OrdinalIgnoreCase);
var hits = new List<string>();
var hitValues = new Dictionary<int, int>();
long files = 0, bytes = 0, mails = 0;

void Scan(string where, string text, bool logsToo)
{
    var search = logsToo ? allSearch : personalSearch;
    var keys = logsToo ? everything : personal;
    var at = 0;
    while (at < text.Length)
    {
        var found = text.AsSpan(at).IndexOfAny(search);
        if (found < 0) break;
        var offset = at + found;
        // which value: the longest form that starts here
        var form = keys.Where(k => text.AsSpan(offset).StartsWith(k, StringComparison.OrdinalIgnoreCase)).MaxBy(k => k.Length)!;
        foreach (var c in forms[form].Where(c => logsToo || c.Kind == "personal").DistinctBy(c => c.Line))
        {
            hits.Add($"{c.Kind} value #{c.Line} in {where} at offset {offset}{Origin(c.Line, where)}");
            hitValues[c.Line] = hitValues.GetValueOrDefault(c.Line) + 1;
        }
        at = offset + 1;
    }
}

foreach (var log in logs.Where(File.Exists))
{
    var text = Encoding.Latin1.GetString(File.ReadAllBytes(log));
    files++; bytes += text.Length;
    Scan(log, text, logsToo: true);
}
foreach (var file in Directory.EnumerateFiles(runDir, "*", SearchOption.AllDirectories))
{
    if (file == canaryFile || file == recordedByFile || file == madeByFile) continue;
    var isLog = Path.GetRelativePath(runDir, file).StartsWith("logs" + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    string text;
    try { text = Encoding.Latin1.GetString(File.ReadAllBytes(file)); }
    catch (IOException) { continue; }
    files++; bytes += text.Length;
    if (file.EndsWith(".eml", StringComparison.OrdinalIgnoreCase)) ScanEml(file, text);
    else Scan(file, text, logsToo: isLog);
}

void ScanEml(string file, string text)
{
    mails++;
    var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var crlf and >= 0 ? crlf : text.IndexOf("\n\n", StringComparison.Ordinal);
    if (headerEnd < 0) headerEnd = text.Length;
    var subject = text[..headerEnd].Split('\n').FirstOrDefault(l => l.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase)) ?? "";
    if (subject.Contains("[Steward] Erasure request ", StringComparison.Ordinal)) return; // E2
    // E1: blank the envelope and recipient header lines (and their folded continuations), keep the offsets
    var chars = text.ToCharArray();
    var skipping = false;
    var lineStart = 0;
    for (var i = 0; i <= headerEnd && i < chars.Length; i++)
    {
        if (i != lineStart) continue;
        var rest = text.AsSpan(i);
        var folded = rest.Length > 0 && rest[0] is ' ' or '\t';
        skipping = folded ? skipping : rest.StartsWith("To:", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("Cc:", StringComparison.OrdinalIgnoreCase)
            || rest.StartsWith("Bcc:", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("Delivered-To:", StringComparison.OrdinalIgnoreCase)
            || rest.StartsWith("Return-Path:", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("X-Original-To:", StringComparison.OrdinalIgnoreCase);
        var end = text.IndexOf('\n', i);
        end = end < 0 ? text.Length : end;
        if (skipping) for (var j = i; j < end; j++) chars[j] = ' ';
        lineStart = end + 1;
    }
    Scan(file, new string(chars), logsToo: false);
}

if (maildev is not null)
{
    using var http = new HttpClient { BaseAddress = new Uri(maildev), Timeout = TimeSpan.FromSeconds(30) };
    using var all = JsonDocument.Parse(await http.GetStringAsync("/api/email"));
    foreach (var mail in all.RootElement.EnumerateArray())
    {
        mails++;
        var id = mail.TryGetProperty("id", out var i) ? i.ToString() : mails.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var subject = mail.TryGetProperty("subject", out var s) ? s.GetString() ?? "" : "";
        if (subject.StartsWith("[Steward] Erasure request ", StringComparison.Ordinal)) continue; // E2
        foreach (var part in new[] { "subject", "text", "html" })
            if (mail.TryGetProperty(part, out var value) && value.ValueKind == JsonValueKind.String)
            {
                var text = AsBytes(value.GetString()!);
                bytes += text.Length;
                Scan($"maildev mail {id} ({part})", text, logsToo: false);
            }
    }
}

Console.WriteLine($"scan: {canaries.Count} values checked ({canaries.Count(c => c.Kind == "personal")} personal, {canaries.Count(c => c.Kind == "secret")} secrets), {forms.Count} forms (in clear and URL-encoded)");
Console.WriteLine($"scan: {files} files, {bytes / 1024} KiB, {mails} mails scanned in {watch.Elapsed.TotalSeconds:F1} s");
Console.WriteLine($"scan: {hits.Count} hits");
foreach (var (line, count) in hitValues.OrderBy(h => h.Key)) Console.WriteLine($"scan: value #{line} (line {line} of canaries.tsv): {count} hits");
foreach (var hit in hits.Take(200)) Console.WriteLine("scan: hit: " + hit);
if (hits.Count > 200) Console.WriteLine($"scan: … and {hits.Count - 200} more");
return hits.Count == 0 ? 0 : 1;

internal sealed record Canary(int Line, string Kind, string Value);
