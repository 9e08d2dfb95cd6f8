using System.Diagnostics;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Steward.Data;

namespace Steward.Tests.Infrastructure;

/// <summary>
/// Steward on a real engine: a SQLite data directory of its own, or a PostgreSQL database of its own on the server
/// test.sh started. Time is a <see cref="FakeTimeProvider"/>; every log line is kept to check that none holds
/// personal data. The remote IP comes from the X-Test-Remote-IP header (TestServer has no socket).
/// </summary>
public sealed class StewardApp : WebApplicationFactory<Program>
{
    public const string DefaultIp = "203.0.113.7";

    /// <summary>
    /// The tests hash passwords with 1,000 PBKDF2 iterations: at the production 210,000 each hash or sign-in costs
    /// ~0.2 s of CPU, and the suite does thousands. The tests that prove the production cost run with
    /// <see cref="ProductionPasswordHashing"/>.
    /// </summary>
    public const string PasswordIterationsSetting = "Steward:Access:PasswordIterations";

    /// <summary>A <c>configure</c> for <see cref="StartAsync"/>: the deployment's default password hashing, as in production.</summary>
    public static void ProductionPasswordHashing(Dictionary<string, string?> settings) => settings.Remove(PasswordIterationsSetting);

    /// <summary>A stored password hash as production makes it: Identity v3, PBKDF2-HMAC-SHA512, 210,000 iterations, 128-bit salt (ASVS V2.4).</summary>
    public static void AssertProductionPasswordHash(string? hash)
    {
        var bytes = Convert.FromBase64String(hash!);
        Assert.Equal(0x01, bytes[0]); // format marker of Identity v3
        Assert.Equal(2u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1))); // KeyDerivationPrf.HMACSHA512
        Assert.Equal(210_000u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5)));
        Assert.Equal(16u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(9)));
    }

    private readonly string _postgresDatabase = "steward_t_" + Guid.NewGuid().ToString("N");
    private readonly Dictionary<string, string?> _settings = new();

    private StewardApp(Engine engine) => Engine = engine;

    public Engine Engine { get; }
    public string DataDirectory { get; } = Canaries.NewDataDirectory("steward-test-");
    public string? PostgresConnectionString { get; private set; }
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
    public ConcurrentQueue<string> Logs { get; } = new();

    /// <summary>In <see cref="StartListeningAsync"/> mode: the plain HTTP address the test's own HTTP clients use.</summary>
    public string? BaseUrl { get; private set; }
    /// <summary>In <see cref="StartListeningAsync"/> mode: the HTTPS address (a throwaway self-signed certificate) a browser
    /// uses, since the console's cookies are Secure and its antiforgery refuses plain HTTP.</summary>
    public string? HttpsUrl { get; private set; }

    /// <summary>Steward on real Kestrel sockets on loopback ports: what a browser talks to (TestServer has no socket).</summary>
    public static Task<StewardApp> StartListeningAsync(Engine engine, Action<Dictionary<string, string?>>? configure = null) =>
        StartAsync(engine, configure, listen: true);

    public static async Task<StewardApp> StartAsync(Engine engine, Action<Dictionary<string, string?>>? configure = null, bool listen = false)
    {
        var app = new StewardApp(engine);
        app._settings["Steward:DataDirectory"] = app.DataDirectory;
        app._settings["Steward:Keys:KeyEncryptionKey"] = Canaries.Secret(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        app._settings["Steward:RateLimits:PublicPerMinute"] = "100000";
        app._settings["Steward:RateLimits:SignUpPerMinute"] = "100000";
        app._settings["Steward:RateLimits:SignInPerMinute"] = "100000";
        app._settings["Steward:Jobs:Enabled"] = "false";
        app._settings[PasswordIterationsSetting] = "1000";
        if (engine == Engine.Postgres)
        {
            app.PostgresConnectionString = await MigratedDatabase.CreatePostgresAsync(app._postgresDatabase);
            app._settings["Steward:Database:Provider"] = "Postgres";
            app._settings["ConnectionStrings:Steward"] = app.PostgresConnectionString;
        }
        configure?.Invoke(app._settings);
        if (!listen)
        {
            _ = app.Server; // starts the host: migrations, templates, ledger replay
            return app;
        }
        var certificate = SelfSignedCertificate();
        app.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate));
        });
        app.StartServer();
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        app.BaseUrl = addresses.First(a => a.StartsWith("http:", StringComparison.Ordinal)).TrimEnd('/');
        app.HttpsUrl = addresses.First(a => a.StartsWith("https:", StringComparison.Ordinal)).TrimEnd('/');
        return app;
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 SelfSignedCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)).SetMinimumLevel(LogLevel.Debug));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<IStartupFilter, RemoteIpFromHeader>();
        });
    }

    public HttpClient Anonymous(string ip = DefaultIp)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            BaseAddress = BaseUrl is null ? new Uri("http://localhost") : new Uri(BaseUrl),
        });
        client.DefaultRequestHeaders.Add("X-Test-Remote-IP", ip);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("StewardTests/1.0");
        return client;
    }

    public sealed record Tenant(Guid ClientId, string ApiKey, HttpClient Http)
    {
        public string Base => $"/v1/clients/{ClientId}";
    }

    /// <summary>Signs up a new client, accepting every current document, and returns an authorised client.</summary>
    public async Task<Tenant> SignUpAsync(string? name = null)
    {
        var http = Anonymous();
        var response = await http.PostAsJsonAsync("/v1/signup", await SignUpBodyAsync(name));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var key = Canaries.Secret(body.GetProperty("apiKey").GetString()!);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return new Tenant(body.GetProperty("clientId").GetGuid(), key, http);
    }

    public async Task<Dictionary<string, object?>> SignUpBodyAsync(string? name = null)
    {
        var agreements = await Anonymous().GetFromJsonAsync<JsonElement>("/v1/agreements");
        return new()
        {
            ["name"] = name ?? "Client " + Guid.NewGuid().ToString("N")[..8],
            ["ownerName"] = Canaries.Personal("Owner Person"),
            ["ownerEmail"] = Canaries.Personal($"owner-{Guid.NewGuid():N}@client.example"),
            ["ownerPassword"] = Canaries.Secret("a long enough password"),
            ["acceptances"] = agreements.EnumerateArray().Select(a => new Dictionary<string, object?>
            {
                ["document"] = a.GetProperty("document").GetString(),
                ["version"] = a.GetProperty("version").GetString(),
                ["accepted"] = true,
            }).ToList(),
        };
    }

    /// <summary>A unit of work on the app's database, outside any request; tenant filters are off unless set.</summary>
    public async Task<T> WithDbAsync<T>(Func<StewardDb, IServiceProvider, Task<T>> work, Guid? tenant = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StewardDb>();
        db.TenantId = tenant;
        return await work(db, scope.ServiceProvider);
    }

    /// <summary>Runs the real CLI (`steward …`) in its own process against the app's data directory and database.</summary>
    public async Task<(int Exit, string Output, string Errors)> RunCliAsync(params string[] command)
    {
        using var process = Process.Start(CliStart(command))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await output).Trim(), (await errors).Trim());
    }

    /// <summary>The real CLI's process start against the app's data directory, database and key-encryption key.</summary>
    public ProcessStartInfo CliStart(params string[] command)
    {
        var args = new List<string> { Path.Combine(AppContext.BaseDirectory, "Steward.Cli.dll") };
        args.AddRange(command);
        args.AddRange(["--data-dir", DataDirectory]);
        if (Engine == Engine.Postgres) args.AddRange(["--provider", "Postgres", "--connection", PostgresConnectionString!]);
        var start = new ProcessStartInfo("dotnet", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("Steward__Database__Provider");
        if (!string.IsNullOrEmpty(_settings["Steward:Keys:KeyEncryptionKey"]))
            start.Environment["Steward__Keys__KeyEncryptionKey"] = _settings["Steward:Keys:KeyEncryptionKey"];
        return start;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Engine == Engine.Postgres) await Engines.DropDatabaseAsync(_postgresDatabase);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Canaries.KeepLog("app", Logs);
        if (Canaries.KeepData) return; // the run's scan reads it; test.sh removes the run directory after
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private sealed class RemoteIpFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (http, nextMiddleware) =>
            {
                http.Connection.RemoteIpAddress = IPAddress.Parse(http.Request.Headers["X-Test-Remote-IP"].FirstOrDefault() ?? DefaultIp);
                await nextMiddleware(http);
            });
            next(app);
        };
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, logs);
        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<string> logs) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                logs.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
