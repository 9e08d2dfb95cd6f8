using Microsoft.AspNetCore.Mvc;
using Steward.Requests;

namespace Steward.Server.Console.Public;

/// <summary>
/// A data subject asks a client for a right (<see cref="SubmitPublicRequest"/>), then confirms their address with the
/// mailed code (<see cref="VerifyPublicRequest"/>): the API's intake, as a form.
/// </summary>
public sealed class RequestModel(SubmitPublicRequest submit, VerifyPublicRequest verify) : ConsolePage
{
    public static readonly (string Value, string Label)[] Types =
    [
        ("access", "See the data held about me (access)"), ("portability", "Get my data to take elsewhere (portability)"),
        ("rectification", "Correct my data (rectification)"), ("erasure", "Erase my data (erasure)"),
        ("restriction", "Restrict the use of my data (restriction)"), ("objection", "Object to the use of my data (objection)"),
    ];

    [BindProperty] public string? Type { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Message { get; set; }
    [BindProperty] public string? Code { get; set; }
    [BindProperty] public Guid? RequestId { get; set; }
    public string? Status { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostSubmitAsync(Guid clientId, CancellationToken ct)
    {
        var result = await submit.HandleAsync(new SubmitPublicRequest.Request(clientId, Type, [Email ?? ""], null, Message), ct);
        if (result.Error is { } error) ToModelState(error);
        else RequestId = result.Value!.RequestId;
        return Page();
    }

    public async Task<IActionResult> OnPostVerifyAsync(CancellationToken ct)
    {
        if (RequestId is not { } requestId) return BadRequest();
        var result = await verify.HandleAsync(requestId, new VerifyPublicRequest.Request(Email, Code), ct);
        if (result.Error is { } error) ToModelState(error);
        else Status = result.Value!.Pending == 0 ? "Your address is confirmed: your request is on its way." : "Confirmed.";
        return Page();
    }
}
