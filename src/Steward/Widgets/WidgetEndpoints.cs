using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Steward.Http;

namespace Steward.Widgets;

public static class WidgetEndpoints
{
    public static RouteGroupBuilder MapWidgets(this RouteGroupBuilder client)
    {
        var widgets = client.MapGroup("/widgets").WithTags("Widgets");
        widgets.MapPost("/", async (Guid clientId, DefineWidget.Request request, DefineWidget define, CancellationToken ct) =>
                (await define.CreateAsync(clientId, request, ct)).ToHttp(w => TypedResults.Created($"/v1/clients/{clientId}/widgets/{w.Id}", w)))
            .WithName("DefineWidget").WithSummary("Define a widget: its fields and consent purposes (never pre-ticked)");
        widgets.MapGet("/", async (DefineWidget define, CancellationToken ct) => TypedResults.Ok(await define.ListAsync(ct)))
            .WithName("ListWidgets").WithSummary("The client's widgets, each at its current version");
        widgets.MapGet("/{widgetId:guid}", async (Guid widgetId, DefineWidget define, CancellationToken ct) =>
                (await define.GetAsync(widgetId, ct)).ToHttp(TypedResults.Ok))
            .WithName("GetWidget").WithSummary("A widget at its current version");
        widgets.MapPut("/{widgetId:guid}", async (Guid widgetId, DefineWidget.Request request, DefineWidget define, CancellationToken ct) =>
                (await define.UpdateAsync(widgetId, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("UpdateWidget").WithSummary("Change a widget: a new version; consents keep the version they were given on");
        return client;
    }
}
