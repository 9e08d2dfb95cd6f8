namespace Steward.Data;

/// <summary>
/// A query of a hot path compiled once per engine (EF.CompileAsyncQuery): the LINQ pipeline costs several times the
/// indexed lookup itself (PERFORMANCE.md). EF Core ties a compiled query to the model of the first context it runs on,
/// so each engine's context type gets its own.
/// </summary>
public sealed class CompiledQuery<TQuery>(Func<TQuery> compile) where TQuery : Delegate
{
    private readonly TQuery _sqlite = compile();
    private readonly TQuery _postgres = compile();

    public TQuery For(StewardDb db) => db is SqliteStewardDb ? _sqlite : _postgres;
}
