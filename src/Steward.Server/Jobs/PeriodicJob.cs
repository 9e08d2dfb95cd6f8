namespace Steward.Server.Jobs;

/// <summary>
/// A job on a timer of the app's TimeProvider (tests move it by hand): each step runs in its own DI scope, and a
/// failure is logged and retried on the next tick rather than stopping the job.
/// </summary>
public abstract partial class PeriodicJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger log, TimeSpan every, bool runAtStart = false)
    : BackgroundService
{
    public abstract string Name { get; }

    protected abstract Task TickAsync(CancellationToken ct);

    /// <summary>One tick now, outside the timer (`steward sweep`, for deployments driven by cron).</summary>
    public Task RunOnceAsync(CancellationToken ct) => TickAsync(ct);

    /// <summary>One step in a scope of its own, so each commits (or fails) apart.</summary>
    protected async Task StepAsync<T>(Func<T, Task> work) where T : notnull
    {
        await using var scope = scopes.CreateAsyncScope();
        await work(scope.ServiceProvider.GetRequiredService<T>());
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(every, clock);
        if (!runAtStart && !await timer.WaitForNextTickAsync(stoppingToken)) return;
        do
        {
            try
            {
                await TickAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(log, Name, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Job} failed; it is retried on the next tick")]
    private static partial void LogFailed(ILogger log, string job, Exception exception);
}

public static class Jobs
{
    private static readonly Type[] All =
        [typeof(NotificationJob), typeof(MaintenanceJob), typeof(SubProcessorJob), typeof(ComplianceJob), typeof(OpenDsrJob), typeof(RetentionJob), typeof(BackupJob)];

    /// <summary>Every periodic job, resolvable as <see cref="PeriodicJob"/>; on their timers only when <paramref name="onTimers"/>.</summary>
    public static IServiceCollection AddStewardJobs(this IServiceCollection services, bool onTimers)
    {
        foreach (var type in All)
        {
            services.AddSingleton(type);
            services.AddSingleton(sp => (PeriodicJob)sp.GetRequiredService(type));
            if (onTimers) services.AddSingleton(sp => (IHostedService)sp.GetRequiredService(type));
        }
        return services;
    }
}
