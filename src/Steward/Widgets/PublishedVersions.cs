using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Steward.Data;

namespace Steward.Widgets;

/// <summary>
/// Widget versions as a submission reads them, parsed once. A version is never changed once written (a change is a new
/// version), so a cached one cannot go stale; a purged client's versions go with its widgets, which are read first.
/// </summary>
public sealed class PublishedVersions
{
    private const int Capacity = 10_000;
    private readonly ConcurrentDictionary<(Guid, int), Published> _versions = new();

    /// <param name="Fields">The field names it collects.</param>
    public sealed record Published(WidgetVersion Version, List<WidgetVersion.Purpose> Purposes, List<string> Fields);

    public async Task<Published> GetAsync(StewardDb db, Guid widgetId, int version, CancellationToken ct)
    {
        if (_versions.TryGetValue((widgetId, version), out var cached)) return cached;
        var row = await Find.For(db)(db, widgetId, version, ct);
        var published = new Published(row, DefineWidget.Purposes(row), JsonSerializer.Deserialize<List<string>>(row.Fields)!);
        if (_versions.Count >= Capacity) _versions.Clear(); // bounded; the next submissions read theirs again
        return _versions.GetOrAdd((widgetId, version), published);
    }

    private static readonly CompiledQuery<Func<StewardDb, Guid, int, CancellationToken, Task<WidgetVersion>>> Find =
        new(() => EF.CompileAsyncQuery((StewardDb db, Guid widgetId, int version, CancellationToken ct) =>
            db.WidgetVersions.IgnoreQueryFilters().AsNoTracking().Single(v => v.WidgetId == widgetId && v.Version == version)));
}
