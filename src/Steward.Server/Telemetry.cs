using Microsoft.AspNetCore.Routing;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Steward.Health;

namespace Steward.Server;

/// <summary>
/// OpenTelemetry traces and metrics, exported over OTLP only when an endpoint is configured
/// (OTEL_EXPORTER_OTLP_ENDPOINT, or Steward:Telemetry:OtlpEndpoint); otherwise nothing is collected.
/// Logs stay on stdout, redacted, and are not exported.
/// </summary>
public static class Telemetry
{
    public static IServiceCollection AddStewardTelemetry(this IServiceCollection services, IConfiguration config)
    {
        var steward = config["Steward:Telemetry:OtlpEndpoint"];
        if (string.IsNullOrWhiteSpace(steward) && string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"])) return services;
        // the exporter reads the OTEL_EXPORTER_OTLP_* variables itself; Steward's option, where set, names the endpoint
        void Otlp(OpenTelemetry.Exporter.OtlpExporterOptions o)
        {
            if (!string.IsNullOrWhiteSpace(steward)) o.Endpoint = new Uri(steward);
        }
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(config["OTEL_SERVICE_NAME"] ?? "steward", serviceInstanceId: config["Steward:Jobs:NodeName"]))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = http => !http.Request.Path.StartsWithSegments("/healthz") && !http.Request.Path.StartsWithSegments("/readyz");
                    // the route template, never the path: paths carry ids and one-time tokens
                    o.EnrichWithHttpResponse = (activity, response) =>
                    {
                        if (response.HttpContext.GetEndpoint() is RouteEndpoint route) activity.SetTag("url.path", route.RoutePattern.RawText);
                    };
                })
                .AddHttpClientInstrumentation()
                .AddSource(StewardMetrics.Name, "Npgsql") // Npgsql traces its commands natively (SQL with placeholders, no values)
                .AddOtlpExporter(Otlp))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(StewardMetrics.Name, "Npgsql", "Microsoft.EntityFrameworkCore")
                .AddOtlpExporter(Otlp));
        return services;
    }
}
