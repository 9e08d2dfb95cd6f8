using Microsoft.AspNetCore.Mvc;
using Steward.Consents;

namespace Steward.Server.Console.Public;

/// <summary>
/// The page behind a consent's withdrawal link (<see cref="WithdrawalLinks"/>): one button, no login, the same use case
/// as <c>POST /v1/public/consents/withdraw</c>. The token is checked when the button is pressed, so a link previewed by
/// a mail scanner withdraws nothing.
/// </summary>
public sealed class WithdrawModel(WithdrawConsent withdraw) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string? Token { get; set; }
    public string? Purpose { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var agent = Request.Headers.UserAgent.ToString();
        var result = await withdraw.HandleAsync(Token, HttpContext.Connection.RemoteIpAddress?.ToString(),
            agent.Length == 0 ? null : agent[..Math.Min(agent.Length, 512)], ct);
        if (result.Error is { } error) ToModelState(error);
        else Purpose = result.Value!.Purpose;
        return Page();
    }
}
