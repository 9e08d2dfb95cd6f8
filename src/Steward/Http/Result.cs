namespace Steward.Http;

/// <summary>An expected failure: never an exception. Mapped to HTTP once, in <see cref="ErrorHttpMapping"/>.</summary>
public abstract record Error(string Code, string Detail);

public sealed record NotFoundError(string What) : Error("not-found", $"The {What} does not exist.");

public sealed record ConflictError(string Detail) : Error("conflict", Detail);

public sealed record ForbiddenError(string Detail) : Error("forbidden", Detail);

public sealed record GoneError(string Detail) : Error("gone", Detail);

public sealed record UnauthorizedError(string Detail) : Error("unauthorized", Detail);

public sealed record TooManyAttemptsError(string Detail) : Error("too-many-attempts", Detail);

public sealed record InvalidError(IReadOnlyDictionary<string, string[]> Fields)
    : Error("invalid", "One or more fields are invalid.");

public static class Errors
{
    public static NotFoundError NotFound(string what) => new(what);
    public static ConflictError Conflict(string detail) => new(detail);
    public static ForbiddenError Forbidden(string detail) => new(detail);
    public static GoneError Gone(string detail) => new(detail);
    public static UnauthorizedError Unauthorized(string detail) => new(detail);
    public static TooManyAttemptsError TooManyAttempts(string detail) => new(detail);
    public static InvalidError Invalid(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
    public static InvalidError Invalid(Problems problems) => new(problems.ToDictionary());
}

/// <summary>Collects field errors while a request is checked, so all of them are reported at once.</summary>
public sealed class Problems
{
    private readonly Dictionary<string, List<string>> _fields = new(StringComparer.Ordinal);

    public bool Any => _fields.Count > 0;

    public void Add(string field, string message)
    {
        if (!_fields.TryGetValue(field, out var list)) _fields[field] = list = [];
        list.Add(message);
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() => _fields.ToDictionary(f => f.Key, f => f.Value.ToArray());
}

public readonly struct Result<T>
{
    private Result(T? value, Error? error) { Value = value; Error = error; }

    public T? Value { get; }
    public Error? Error { get; }
    public bool IsSuccess => Error is null;

    public static implicit operator Result<T>(T value) => new(value, null);
    public static implicit operator Result<T>(Error error) => new(default, error);
}
