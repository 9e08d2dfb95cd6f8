using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Steward.Http;

/// <summary>The one place where an <see cref="Error"/> becomes an RFC 9457 problem response.</summary>
public static class ErrorHttpMapping
{
    public const string TypeBase = "https://steward.example/problems/";

    public static IResult ToHttp<T>(this Result<T> result, Func<T, IResult> onSuccess) =>
        result.IsSuccess ? onSuccess(result.Value!) : result.Error!.ToProblem();

    public static IResult ToProblem(this Error error) => error switch
    {
        InvalidError invalid => TypedResults.ValidationProblem(invalid.Fields, invalid.Detail,
            type: TypeBase + invalid.Code, title: "The request is invalid."),
        _ => Problem(error, error switch
        {
            NotFoundError => StatusCodes.Status404NotFound,
            ConflictError => StatusCodes.Status409Conflict,
            ForbiddenError => StatusCodes.Status403Forbidden,
            GoneError => StatusCodes.Status410Gone,
            UnauthorizedError => StatusCodes.Status401Unauthorized,
            TooManyAttemptsError => StatusCodes.Status429TooManyRequests,
            _ => StatusCodes.Status400BadRequest,
        }),
    };

    private static ProblemHttpResult Problem(Error error, int status) =>
        TypedResults.Problem(error.Detail, statusCode: status, type: TypeBase + error.Code);
}
