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
        // The exporter reads the OTEL_EXPORTER_OTLP_* variables itself. Two of its choices differ from the OTLP spec
        // and from Steward's option: it speaks gRPC unless told (the spec's default is http/protobuf, port 4318), and an
        // endpoint set in code is used as is, without the /v1/traces or /v1/metrics a collector listens on.
        Action<OpenTelemetry.Exporter.OtlpExporterOptions> Otlp(string signal) => o =>
        {
            if (string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_PROTOCOL"])
                && string.IsNullOrWhiteSpace(config[$"OTEL_EXPORTER_OTLP_{signal.ToUpperInvariant()}_PROTOCOL"]))
                o.Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
            if (string.IsNullOrWhiteSpace(steward)) return;
            o.Endpoint = o.Protocol == OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf
                ? new Uri(new Uri(steward.TrimEnd('/') + "/"), $"v1/{signal}") : new Uri(steward);
        };
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
                .AddOtlpExporter(Otlp("traces")))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(StewardMetrics.Name, "Npgsql", "Microsoft.EntityFrameworkCore")
                .AddOtlpExporter(Otlp("metrics")));
        return services;
    }
}
