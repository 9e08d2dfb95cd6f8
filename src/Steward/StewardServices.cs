using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.Logging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.Agreements;
using Steward.Breaches;
using Steward.Audit;
using Steward.Backups;
using Steward.Clients;
using Steward.Consents;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Health;
using Steward.Dpo;
using Steward.Http;
using Steward.Inspections;
using Steward.Instructions;
using Steward.Measures;
using Steward.Notifications;
using Steward.OpenDsr;
using Steward.Requests;
using Steward.SubProcessors;
using Steward.Team;
using Steward.Records;
using Steward.Retention;
using Steward.Widgets;

namespace Steward;

public sealed class RateLimitOptions
{
    /// <summary>Public requests (widget submissions, withdrawal links) per client IP per minute.</summary>
    public int PublicPerMinute { get; set; } = 120;
    public int SignUpPerMinute { get; set; } = 10;
    /// <summary>Staff sign-in, invitation and setup requests per client IP per minute (per account: the lockout).</summary>
    public int SignInPerMinute { get; set; } = 10;
}

/// <summary>Registers Steward for the server, the CLI and the tests: one call, explicit registrations.</summary>
public static class StewardServices
{
    public static IServiceCollection AddSteward(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection("Steward"))
            .Configure(o => o.ConnectionString ??= configuration.GetConnectionString("Steward"))
            .Configure(o => o.KeysConnectionString ??= configuration.GetConnectionString("StewardKeys"))
            .Configure(o => o.LedgerConnectionString ??= configuration.GetConnectionString("StewardLedger"))
            .Validate(o => o.Database.Provider == DatabaseProvider.Sqlite || o.ConnectionString is not null,
                "Steward:Database:Provider Postgres needs ConnectionStrings:Steward.")
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KeyOptions>().Bind(configuration.GetSection("Steward:Keys"));
        services.AddOptions<AgreementOptions>().Bind(configuration.GetSection("Steward:Agreements"))
            .Validate(o => o.Formation is AgreementOptions.ClickThrough or AgreementOptions.Signed && o.LawChangeNoticeDays >= 30 && o.ChangeNoticeDays >= 0,
                "Steward:Agreements: Formation is click-through or signed; a law-driven change needs at least 30 days' notice (G-01).").ValidateOnStart();
        services.AddOptions<AlertOptions>().Bind(configuration.GetSection("Steward:Alerts"));
        services.AddOptions<RequestOptions>().Bind(configuration.GetSection("Steward:Requests"))
            .Validate(o => o.AssistBillableThreshold >= 0 && o.DueSoonDays >= 0 && o.CodeLifetimeMinutes > 0 && o.MaxCodeAttempts > 0,
                "Steward:Requests: thresholds must not be negative.").ValidateOnStart();
        services.AddOptions<MailOptions>().Bind(configuration.GetSection("Steward:Mail"))
            .Validate(o => o.PollSeconds > 0 && o.MaxAttempts > 0 && o.LeaseSeconds > 0 && o.SmtpPort is > 0 and < 65536,
                "Steward:Mail: poll, attempts, lease and port must be positive.")
            .ValidateOnStart();
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection("Steward:Audit"))
            .Validate(o => o.RetentionMonths >= 1, "Steward:Audit:RetentionMonths must be at least 1.").ValidateOnStart();
        services.AddOptions<ProcessorOptions>().Bind(configuration.GetSection("Steward:Processor"));
        services.AddOptions<BreachOptions>().Bind(configuration.GetSection("Steward:Breach"))
            .Validate(o => o.ProcessorNotifyHours > 0 && o.CeilingHours is > 0 and <= 72 && o.AuthorityHours is > 0 and <= 72,
                "Steward:Breach: hours must be positive, the ceiling and the authority clock at most 72.")
            .ValidateOnStart();
        services.AddOptions<InspectionOptions>().Bind(configuration.GetSection("Steward:Audit"))
            .Validate(o => o.RoutineIntervalMonths >= 0, "Steward:Audit:RoutineIntervalMonths: 0 (no limit) or more.").ValidateOnStart();
        services.AddOptions<MeasureOptions>().Bind(configuration.GetSection("Steward:Measures"))
            .Validate(o => o.ReviewIntervalDays is > 0 and <= 365 && o.FirstAttestationDays > 0 && o.PolicyReviewDays > 0 && o.RealertHours > 0
                && o.AnomalyWindowMinutes > 0 && o.AnomalyExports > 0 && o.AnomalyFailedSignIns > 0 && o.AnomalyRequests > 0,
                "Steward:Measures: intervals must be positive; measures are reviewed at least yearly.").ValidateOnStart();
        services.AddOptions<InstructionOptions>().Bind(configuration.GetSection("Steward:Instructions"));
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection("Steward:Retention"))
            .Validate(o => o.PostTerminationDays >= 0 && o.RestoreDays >= 0 && o.ExportFreeCount >= 0, "Steward:Retention: days and counts must not be negative.")
            .ValidateOnStart();
        services.AddOptions<DutyOptions>().Bind(configuration.GetSection("Steward:Dpo"))
            .Validate(o => o.SecurityCheckDays > 0 && o.SecurityInstructionsReviewDays is > 0 and <= 365 && o.AccessGrantReviewDays > 0
                && o.SubProcessorReviewDays > 0 && o.RealertHours > 0, "Steward:Dpo: intervals must be positive; the security-instructions review at most yearly (G-09).")
            .ValidateOnStart();
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection("Steward:RateLimits"))
            .Validate(o => o.PublicPerMinute > 0 && o.SignUpPerMinute > 0 && o.SignInPerMinute > 0, "Rate limits must be positive.").ValidateOnStart();
        services.AddOptions<SubProcessorOptions>().Bind(configuration.GetSection("Steward:SubProcessors"))
            .Validate(o => o.NoticeDays >= 30 && o.ObjectionDays >= 7, "Steward:SubProcessors: at least 30 days' notice and 7 days to object (G-13).")
            .Validate(o => o.ReviewIntervalDays > 0 && o.ErasureDueDays > 0 && o.ConnectorTimeoutSeconds > 0, "Steward:SubProcessors: intervals must be positive.")
            .ValidateOnStart();
        services.AddOptions<ResidencyOptions>().Bind(configuration.GetSection("Steward:Residency"))
            .Validate(o => TransferGate.Eea.Contains(o.BackupCountry) && TransferGate.Eea.Contains(o.DatabaseCountry),
                "Steward:Residency: the database and the backups must be in the EEA (P-19).")
            .ValidateOnStart();
        services.AddOptions<BackupOptions>().Bind(configuration.GetSection("Steward:Backups"))
            // unless stated apart, the backups are where the residency statement (P-19) says they are
            .Configure(o => o.Region = configuration["Steward:Backups:Region"] ?? configuration["Steward:Residency:BackupCountry"] ?? o.Region)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<BackupOptions>, BackupOptionsValidation>();
        services.AddHttpClient(Connectors.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => Connectors.Handler(sp.GetRequiredService<IOptions<SubProcessorOptions>>().Value, System.Net.Dns.GetHostAddressesAsync));
        services.TryAddSingleton(TimeProvider.System);
        // personal data never reaches a log sink: parameters classified as personal are erased (DESIGN §5)
        services.AddRedaction(r => r.SetRedactor<ErasingRedactor>(new DataClassificationSet(StewardTaxonomy.PersonalData)));
        services.AddLogging(l => l.EnableRedaction());

        var provider = configuration.GetValue("Steward:Database:Provider", DatabaseProvider.Sqlite);
        if (provider == DatabaseProvider.Postgres)
        {
            services.AddPooledDbContextFactory<PostgresStewardDb>((sp, o) => o.UseNpgsql(sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataConnectionString));
            services.AddScoped<StewardDb>(sp => StewardDb.Lease(sp.GetRequiredService<IDbContextFactory<PostgresStewardDb>>()));
        }
        else
        {
            services.AddPooledDbContextFactory<SqliteStewardDb>((sp, o) => SqliteConnectionWithoutFunctions.Use(
                o.UseSqlite(sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataConnectionString).AddInterceptors(SqlitePragmas.Instance)));
            services.AddScoped<StewardDb>(sp => StewardDb.Lease(sp.GetRequiredService<IDbContextFactory<SqliteStewardDb>>()));
        }

        services.AddSingleton<KeyEncryptionKey>();
        services.AddSingleton<KeyVault>();
        services.AddSingleton<RotateKeys>();
        services.AddSingleton<ForgetLedger>();
        services.AddSingleton<BackupCatalogue>();
        services.AddScoped<CreateBackup>();
        services.AddScoped<PruneBackups>();
        services.AddScoped<RestoreBackup>();
        services.AddSingleton<BlindIndex>();
        services.AddMetrics().AddSingleton<StewardMetrics>(); // job metrics and the backlog gauges (docs/operations.md: Observability)
        services.AddSingleton<AuditKeys>();
        services.AddSingleton<AuditAppender>();
        services.AddSingleton<WithdrawalLinks>();
        services.AddSingleton<ResubscribeLinks>();
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<Notifier>();
        services.AddScoped<ExportAlert>();
        services.AddSingleton<MailSender>();
        services.AddScoped<DeliverNotifications>();
        services.AddSingleton<IPasswordHasher<ClientUser>, PasswordHasher<ClientUser>>();
        services.AddScoped<AuditContext>();
        services.AddScoped<AuditLog>();
        services.AddScoped<VerifyAuditChain>();
        services.AddScoped<ReadAuditTrail>();
        services.AddScoped<ClientRegister>();
        services.AddScoped<ReplayForgetLedger>();
        services.AddScoped<AgreementCatalog>();
        services.AddScoped<SignUp>();
        services.AddScoped<DeclareFields>();
        services.AddScoped<CreateContact>();
        services.AddScoped<ImportContacts>();
        services.AddScoped<ReadContacts>();
        services.AddSingleton<EmailLookup>();
        services.AddScoped<RectifyContact>();
        services.AddScoped<EraseContact>();
        services.AddSingleton<EraseLookup>();
        services.AddScoped<CancelClient>();
        services.AddScoped<ReactivateClient>();
        services.AddScoped<PurgeClient>();
        services.AddScoped<ChooseTermination>();
        services.AddScoped<DeleteContact>();
        services.AddScoped<ReadTrash>();
        services.AddScoped<RestoreContact>();
        services.AddScoped<EmptyTrash>();
        services.AddScoped<ReturnExport>();
        services.AddOptions<DestructionOptions>().Bind(configuration.GetSection("Steward:Destruction"));
        services.AddScoped<PlaceLegalHold>();
        services.AddScoped<LiftLegalHold>();
        services.AddScoped<RequestDestruction>();
        services.AddScoped<ApproveDestruction>();
        services.AddScoped<RunDestruction>();
        services.AddScoped<ExpireData>();
        services.AddScoped<ReadDestructions>();
        services.AddResidualStores();
        services.AddSingleton<IResidualStore, BackupResidue>();
        services.AddScoped<DefineWidget>();
        services.AddScoped<SubmitWidget>();
        services.AddSingleton<Widgets.PublishedVersions>();
        services.AddScoped<WithdrawConsent>();
        services.AddScoped<ConsentHistory>();
        services.AddScoped<PruneAuditLog>();
        services.AddAccess(configuration);
        services.AddScoped<CreateRequest>();
        services.AddScoped<ReadRequests>();
        services.AddScoped<ChangeRequestStatus>();
        services.AddScoped<ExtendRequest>();
        services.AddScoped<ChangeRequestSettings>();
        services.AddScoped<SubmitPublicRequest>();
        services.AddScoped<VerifyPublicRequest>();
        services.AddScoped<RouteRequest>();
        services.AddScoped<FulfilRequest>();
        services.AddScoped<DownloadPackage>();
        services.AddScoped<SubjectData>();
        services.AddScoped<LiftRestriction>();
        services.AddScoped<RestrictedReads>();
        services.AddScoped<ConfirmConsent>();
        services.AddScoped<ConsentReceipts>();
        services.AddSingleton<TransferGate>();
        services.AddSingleton<Connectors>();
        services.AddScoped<Register>();
        services.AddScoped<Changes>();
        services.AddScoped<DataLocations>();
        services.AddScoped<EraseAtSubProcessors>();
        services.AddScoped<AccessAtSubProcessors>();
        services.AddScoped<DeliverErasures>();
        services.AddComplianceServices();
        services.AddScoped<SearchSubjects>();
        services.AddOptions<OpenDsrOptions>().Bind(configuration.GetSection("Steward:OpenDsr"))
            .Validate(o => o.CallbackMaxAttempts > 0 && o.PollSeconds > 0 && Uri.IsWellFormedUriString(o.PublicBaseUrl, UriKind.Absolute)
                && !string.IsNullOrWhiteSpace(o.ProcessorDomain) && (o.CertificateFile is null) == (o.KeyFile is null),
                "Steward:OpenDsr: attempts and poll must be positive, PublicBaseUrl absolute, a domain named, and a certificate comes with its key.")
            .ValidateOnStart();
        services.AddSingleton<OpenDsrSigner>();
        services.AddScoped<SubmitOpenDsrRequest>();
        services.AddScoped<ReadOpenDsrRequest>();
        services.AddScoped<ProcessOpenDsrRequests>();
        services.AddScoped<DeliverOpenDsrCallbacks>();
        services.AddHttpClient(DeliverOpenDsrCallbacks.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                ConnectCallback = CallbackGuard.Connect(sp.GetRequiredService<IOptions<OpenDsrOptions>>().Value.AllowInsecureCallbacks),
            });
        return services;
    }

    /// <summary>The HTTP side: authentication, problem details, rate limits, OpenAPI. Used by Steward.Server.</summary>
    public static IServiceCollection AddStewardHttp(this IServiceCollection services)
    {
        var authentication = services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        // a client's routes: its own API keys and team, or staff whom a live grant lets in (ClientAccess decides which)
        var authorization = services.AddAuthorizationBuilder()
            .AddPolicy(Policies.ClientApi, p => p.AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName, ClientUserAuthentication.SchemeName,
                    StaffAuthentication.SchemeName)
                .RequireAuthenticatedUser().AddRequirements(new ClientAccess()))
            .AddPolicy(OpenDsrEndpoints.Policy, p => p.AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName)
                .RequireClaim(ApiKeyAuthentication.ClientClaim).RequireClaim(ClientCaller.ScopeClaim, ClientRoles.Requests));
        services.AddAccessHttp(authentication, authorization);
        services.AddTeam(authentication, authorization);
        services.AddSingleton<IAuthorizationHandler, ClientAccess>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ClientAccessResults>();
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemHandling>();
        services.ConfigureHttpJsonOptions(o => Json.ConfigureHttp(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(RateLimits.Public, http => PerIp(http, http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.PublicPerMinute));
            o.AddPolicy(RateLimits.SignUp, http => PerIp(http, http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.SignUpPerMinute));
            o.OnRejected = async (context, ct) =>
            {
                // the client is told when to come back (RFC 9110 §10.2.3), not left to retry blindly
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                    context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = 429, Type = ErrorHttpMapping.TypeBase + "rate-limited", Detail = "Too many requests: wait a minute and try again." },
                });
            };
        });
        return services;
    }

    private static RateLimitPartition<string> PerIp(HttpContext http, int perMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });

    public static IEndpointRouteBuilder MapSteward(this IEndpointRouteBuilder app)
    {
        app.MapHealth();
        var v1 = app.MapGroup("/v1");
        v1.MapAgreements().MapPublicVulnerabilityReports();
        v1.MapSignUp();
        v1.MapPublicConsents();
        v1.MapStaff();
        v1.MapBackups();
        v1.MapDestructions();
        v1.MapClientUsers();
        v1.MapPublicRequests();
        v1.MapPublicSubProcessors().MapAdminSubProcessors();
        v1.MapClient().MapTeam().MapClientRetention().MapContacts().MapWidgets().MapConsents().MapStaffWithAccess().MapRequests().MapClientSubProcessors()
            .MapClientBreaches().MapClientInstructions().MapClientRecords().MapClientInspections().MapClientAgreements().MapClientMeasures().MapClientCommunications().MapClientDisclosures();
        v1.MapGroup("/processor").RequireAuthorization(Permissions.Compliance)
            .MapBreaches().MapProcessorInstructions().MapRecords().MapProcessorInspections().MapDuties().MapProcessorAgreements().MapProcessorMeasures().MapProcessorDisclosures().MapVulnerabilityDesk()
            .MapProcessorClients().MapProcessorAudit();
        app.MapSecurityTxt();
        app.MapOpenDsr();
        return app;
    }

    /// <summary>Before the service opens: stores ready, migrations applied, documents published, the ledger replayed.</summary>
    public static async Task InitializeStewardAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        if (storage.Database.Provider == DatabaseProvider.Sqlite) Directory.CreateDirectory(storage.FullDataDirectory);
        // nodes started at once: one of them creates and seeds, the others then find it done
        await using var exclusive = await Migrate.ExclusivelyAsync(storage, ct);
        await services.GetRequiredService<KeyVault>().InitializeAsync(ct);
        await services.GetRequiredService<ForgetLedger>().InitializeAsync(ct);
        await services.GetRequiredService<BackupCatalogue>().InitializeAsync(ct);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StewardDb>();
        await Migrate.HandleAsync(db, ct);
        // PostgreSQL: events a process committed but did not live to chain (PostgresChain)
        if (!db.IsSqlite) await PostgresChain.For(db.Database.GetConnectionString()!).ChainAsync(ct: ct);
        await scope.ServiceProvider.GetRequiredService<AgreementCatalog>().PublishTemplatesAsync(ct);
        await scope.ServiceProvider.GetRequiredService<Register>().SeedAsync(ct);
        await scope.ServiceProvider.GetRequiredService<ReplayForgetLedger>().HandleAsync(ct);
        await scope.ServiceProvider.GetRequiredService<DutySchedule>().EnsureAsync(ct);
        await scope.ServiceProvider.GetRequiredService<MeasureRegister>().SeedAsync(ct);
    }

    /// <summary>Breaches, records of processing, instructions and purposes, audits, the DPO's duties.</summary>
    private static void AddComplianceServices(this IServiceCollection services)
    {
        services.AddScoped<ControllerMail>();
        services.AddScoped<Terms>();
        services.AddScoped<PurposeGate>();
        services.AddScoped<RegisterPurpose>();
        services.AddScoped<SetTerms>();
        services.AddScoped<FlagInstruction>();
        services.AddScoped<ServiceStatistics>();
        services.AddScoped<RecordBreach>();
        services.AddScoped<ChangeBreachStatus>();
        services.AddScoped<AssessBreach>();
        services.AddScoped<NotifyClients>();
        services.AddScoped<NotifyAuthority>();
        services.AddScoped<BreachCommunications>();
        services.AddScoped<BreachRegister>();
        services.AddScoped<RemindBreachClocks>();
        services.AddScoped<RecordsOfProcessing>();
        services.AddScoped<ClientReports>();
        services.AddScoped<RequestInspection>();
        services.AddScoped<EvidencePackage>();
        services.AddScoped<DutySchedule>();
        services.AddScoped<CompleteDuty>();
        services.AddScoped<RemindDuties>();
        // agreements over time, the measures register (issue 12)
        services.AddScoped<AgreementBindings>();
        services.AddScoped<PublishAgreement>();
        services.AddScoped<AcceptAgreement>();
        services.AddScoped<RecordSignature>();
        services.AddScoped<MeasureRegister>();
        services.AddScoped<ReviseMeasure>();
        services.AddScoped<RecordEvidence>();
        services.AddScoped<UploadSecurityPolicy>();
        services.AddScoped<ReviewSecurityPolicy>();
        services.AddScoped<RemindMeasureReviews>();
        services.AddScoped<AccessReview>();
        services.AddScoped<DetectAnomalies>();
        services.AddScoped<DataFlows>();
        services.AddScoped<DataInventory>();
        services.AddScoped<RecordDisclosure>();
        services.AddScoped<Desk>();
    }
}
