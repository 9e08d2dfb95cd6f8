using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Steward.Http;

/// <summary>
/// Exceptions leave as RFC 9457 problems: a malformed body is the caller's 400 with what was wrong (JSON paths,
/// never values); a database that is overloaded (timed out, busy) is a 503 with Retry-After, so clients back off and
/// retry; anything else is a 500 that says nothing about the inside. No stack traces on the wire.
/// </summary>
public sealed partial class ProblemHandling(IProblemDetailsService problems, ILogger<ProblemHandling> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var http = httpContext;
        var (status, type, detail) = Classify(exception);
        if (status >= 500) LogFailure(log, exception, http.TraceIdentifier);
        http.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable) http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Type = ErrorHttpMapping.TypeBase + type, Detail = detail },
            Exception = exception,
        });
    }

    /// <summary>The caller's fault (4xx, with what was wrong) or ours (500). Also used by the audit middleware.</summary>
    public static (int Status, string Type, string Detail) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException bad when bad.InnerException is JsonException json =>
            (StatusCodes.Status400BadRequest, "invalid-json", JsonDetail(json)),
        BadHttpRequestException bad => (bad.StatusCode, "bad-request", bad.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? "The request body is too large." : "The request could not be read: check the parameters and the body."),
        // a JSON string that is not UTF-8 surfaces only when a JsonElement value is read
        InvalidOperationException { InnerException: System.Text.DecoderFallbackException } =>
            (StatusCodes.Status400BadRequest, "invalid-json", "The JSON body is not valid UTF-8."),
        // the last line for text that reaches PostgreSQL by another way than a typed JSON field (a form, a JSON value
        // read as an element): it refuses a NUL in text outright, and the transaction that carried it is rolled back
        _ when InvalidText(exception) => (StatusCodes.Status400BadRequest, "invalid-text", "Text may not hold a NUL character (U+0000) or a lone surrogate."),
        _ when Overloaded(exception) => (StatusCodes.Status503ServiceUnavailable, "unavailable", "The service is busy. Try again in a few seconds."),
        _ => (StatusCodes.Status500InternalServerError, "internal", "Something went wrong on our side. It was logged."),
    };

    public const int RetryAfterSeconds = 5;

    /// <summary>Load, not a fault: a command that timed out, a transient PostgreSQL failure, or SQLite busy or locked.</summary>
    private static bool Overloaded(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is TimeoutException or Npgsql.NpgsqlException { IsTransient: true } or Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 6 })
                return true;
        return false;
    }

    private static bool InvalidText(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            // Npgsql cannot encode a lone surrogate as UTF-8 either
            if (e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.CharacterNotInRepertoire } or System.Text.EncoderFallbackException) return true;
        return false;
    }

    /// <summary>System.Text.Json's messages name the path and the type, not the value, so they can be shown.</summary>
    private static string JsonDetail(JsonException json) =>
        "The JSON body is not valid for this request" + (json.Path is { Length: > 0 } path ? $" at {Cut(path)}" : "") + ": "
        + Cut((json.Message.Split(" Path:", 2)[0]).Replace("System.", "", StringComparison.Ordinal));

    private static string Cut(string text) => text.Length > 300 ? text[..300] : text;

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {TraceId} failed")]
    private static partial void LogFailure(ILogger log, Exception exception, string traceId);
}
