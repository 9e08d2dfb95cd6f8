using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Steward.Tests.Infrastructure;

/// <summary>A controller's callback endpoint on loopback: records each request, and fails the first ones if told to.</summary>
public sealed class CallbackReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private int _seen;

    public sealed record Call(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, int AnsweredWith);

    private CallbackReceiver(int port, int failFirst)
    {
        Url = $"http://127.0.0.1:{port}/opendsr_callbacks";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var status = Interlocked.Increment(ref _seen) <= failFirst ? 500 : 200;
                Calls.Enqueue(new Call(context.Request.Url!.AbsolutePath,
                    context.Request.Headers.AllKeys.ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase), body.ToArray(), status));
                context.Response.StatusCode = status;
                context.Response.Close();
            }
        });
    }

    public string Url { get; }
    public ConcurrentQueue<Call> Calls { get; } = new();

    public static CallbackReceiver Start(int failFirst = 0)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new CallbackReceiver(port, failFirst);
    }

    public void Dispose() => _listener.Close();
}
