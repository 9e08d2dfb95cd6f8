using Steward.Server;

await StewardHost.RunAsync(StewardHost.Build(args));

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
