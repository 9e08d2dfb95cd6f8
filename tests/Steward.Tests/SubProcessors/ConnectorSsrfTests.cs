using System.Net;
using System.Security.Cryptography;
using Steward.SubProcessors;

namespace Steward.Tests.SubProcessors;

/// <summary>
/// SSRF (API7) at connect time: the connectors' handler checks the address a name resolves to when it connects, so a
/// host name that passes the allow-list by name and then resolves to loopback (DNS rebinding) is refused.
/// </summary>
public sealed class ConnectorSsrfTests
{
    private static HttpClient Client(IEnumerable<string> allowed, Func<string, CancellationToken, Task<IPAddress[]>> resolve) =>
        new(Connectors.Handler(new SubProcessorOptions { AllowedHosts = [.. allowed] }, resolve)) { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>A resolver under the attacker's control: every name under vendor.example points at loopback.</summary>
    private static Task<IPAddress[]> Rebinding(string host, CancellationToken ct) =>
        Task.FromResult(host.EndsWith(".vendor.example", StringComparison.Ordinal) ? [IPAddress.Loopback] : Array.Empty<IPAddress>());

    [Fact]
    public async Task P09_SSRF_a_name_allowed_by_the_list_that_resolves_to_loopback_is_refused_at_connect_time()
    {
        await using var vendors = await VendorEmulator.StartAsync(RandomNumberGenerator.GetBytes(32));
        var port = new Uri(vendors.BaseUrl).Port;
        var url = $"http://rebind.vendor.example:{port}/regulations/reg-2Nq7";

        // allowed by name (*.vendor.example), but it resolves to 127.0.0.1: refused before a byte is sent
        using (var client = Client(["*.vendor.example"], Rebinding))
        {
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(url));
            Assert.Contains("refused: rebind.vendor.example resolves to 127.0.0.1", (refused.InnerException ?? refused).Message);
            // cloud metadata, as an address literal, and localhost through the real resolver: refused too
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("http://169.254.169.254/latest/meta-data/"));
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://localhost:{port}/regulations/reg-2Nq7"));
        }
        using (var client = Client(["*.vendor.example", "127.0.0.1:1"], Dns.GetHostAddressesAsync))
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://localhost:{port}/regulations/reg-2Nq7")); // another port's literal

        // the operator names the loopback emulator explicitly (address literal and port): the same name now connects
        using (var client = Client(["*.vendor.example", $"127.0.0.1:{port}"], Rebinding))
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(url)).StatusCode); // the emulator answered (no token sent)
        using (var client = Client([$"127.0.0.1:{port}"], Dns.GetHostAddressesAsync))
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"http://localhost:{port}/regulations/reg-2Nq7")).StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1", false), InlineData("10.1.2.3", false), InlineData("172.16.0.1", false), InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false), InlineData("100.64.0.1", false), InlineData("0.0.0.0", false), InlineData("::1", false)]
    [InlineData("fe80::1", false), InlineData("fd00:ec2::254", false), InlineData("::ffff:127.0.0.1", false), InlineData("224.0.0.1", false)]
    [InlineData("93.184.216.34", true), InlineData("2606:2800:220:1:248:1893:25c8:1946", true), InlineData("172.32.0.1", true)]
    public void P09_SSRF_only_globally_routable_addresses_are_public(string address, bool isPublic) =>
        Assert.Equal(isPublic, Connectors.IsPublic(IPAddress.Parse(address)));
}
