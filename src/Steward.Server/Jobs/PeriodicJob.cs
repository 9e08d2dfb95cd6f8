using System.Diagnostics;
using Steward.Data;
using Steward.Health;

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

    /// <summary>What the counted steps of the current <see cref="RunOnceAsync"/> did; flows with the call, not shared with the timer.</summary>
    private static readonly AsyncLocal<List<string>?> Done = new();

    /// <summary>One tick now, outside the timer (`steward sweep`, for deployments driven by cron); what its counted steps did.</summary>
    public async Task<IReadOnlyList<string>> RunOnceAsync(CancellationToken ct)
    {
        Done.Value = [];
        await MeasuredTickAsync(ct);
        return Done.Value;
    }

    /// <summary>The tick as a trace span and in the job metrics (<see cref="StewardMetrics"/>).</summary>
    private async Task MeasuredTickAsync(CancellationToken ct)
    {
        using var activity = StewardMetrics.Activities.StartActivity(GetType().Name);
        var started = Stopwatch.GetTimestamp();
        var failed = true;
        try
        {
            await TickAsync(ct);
            failed = false;
        }
        finally
        {
            activity?.SetStatus(failed ? ActivityStatusCode.Error : ActivityStatusCode.Ok);
            Metrics?.JobRan(GetType().Name, Stopwatch.GetElapsedTime(started), failed);
        }
    }

    /// <summary>One step in a scope of its own, so each commits (or fails) apart.</summary>
    protected async Task StepAsync<T>(Func<T, Task> work) where T : notnull
    {
        await using var scope = scopes.CreateAsyncScope();
        await work(scope.ServiceProvider.GetRequiredService<T>());
    }

    /// <summary>A step that counts what it did ("12 clients purged"), for `steward sweep` to print.</summary>
    protected async Task StepAsync<T>(string what, Func<T, Task<int>> work) where T : notnull
    {
        await using var scope = scopes.CreateAsyncScope();
        var count = await work(scope.ServiceProvider.GetRequiredService<T>());
        Done.Value?.Add($"{count} {what}");
    }

    /// <summary>
    /// False: the job runs once per schedule across all nodes, whichever wins its <see cref="JobLease"/>. True for
    /// jobs that claim each item they work on (a lease per outbox message, FOR UPDATE SKIP LOCKED): they run on every
    /// node, so several nodes share a backlog and a dead node's items are picked up by the others.
    /// </summary>
    protected virtual bool ClaimsEachItem => false;

    /// <summary>The interval and node name from configuration (<see cref="Jobs.AddStewardJobs"/>); the defaults otherwise.</summary>
    internal JobSchedule Schedule { get; set; } = new(null, TimeSpan.FromSeconds(15), Environment.MachineName);

    internal StewardMetrics? Metrics { get; set; }

    public TimeSpan Every => Schedule.Every ?? every;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // a leased job polls more often than it runs, so the run falls to whichever node looks first once it is due
        using var timer = new PeriodicTimer(ClaimsEachItem ? Every : TimeSpan.FromTicks(Math.Min(Every.Ticks, Schedule.Poll.Ticks)), clock);
        if (ClaimsEachItem && !runAtStart && !await timer.WaitForNextTickAsync(stoppingToken)) return;
        do
        {
            try
            {
                if (ClaimsEachItem) await MeasuredTickAsync(stoppingToken);
                else if (await ClaimAsync(stoppingToken))
                {
                    LogRun(log, Name, Schedule.Node);
                    await MeasuredTickAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(log, Name, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<bool> ClaimAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await JobLease.TryClaimAsync(scope.ServiceProvider.GetRequiredService<StewardDb>(), GetType().Name, Every, runAtStart,
            Schedule.Node, clock.GetUtcNow(), ct);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Job} runs on node {Node}")]
    private static partial void LogRun(ILogger log, string job, string node);

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
            services.AddSingleton(type, sp =>
            {
                var job = (PeriodicJob)ActivatorUtilities.CreateInstance(sp, type);
                // the CLI's container has no IConfiguration: it runs jobs once by hand, on the defaults
                if (sp.GetService<IConfiguration>()?.GetSection("Steward:Jobs") is { } config)
                    job.Schedule = new JobSchedule(config.GetValue<TimeSpan?>($"Every:{type.Name}"), config.GetValue("Poll", TimeSpan.FromSeconds(15)),
                        config.GetValue<string>("NodeName") ?? $"{Environment.MachineName}/{Environment.ProcessId}");
                job.Metrics = sp.GetRequiredService<StewardMetrics>();
                return job;
            });
            services.AddSingleton(sp => (PeriodicJob)sp.GetRequiredService(type));
            if (onTimers) services.AddSingleton(sp => (IHostedService)sp.GetRequiredService(type));
        }
        return services;
    }
}

/// <summary>A job's interval if configured (Steward:Jobs:Every:&lt;JobType&gt;), how often a leased job looks, and this node's name.</summary>
internal sealed record JobSchedule(TimeSpan? Every, TimeSpan Poll, string Node);
