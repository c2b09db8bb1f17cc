using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Store;

/// <summary>
/// A data directory belongs to one store at a time (two recovering, appending and checkpointing in it corrupt each other's
/// files), and the folders the store creates are its user's alone: their log pages hold prompts, answers and key records.
/// </summary>
public sealed class EmbeddedStoreDataDirectoryTests(TestEnvironment env)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public async Task A_second_gateway_on_a_data_directory_in_use_refuses_to_start_and_one_starts_once_it_is_free()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gw-datadir-" + Guid.NewGuid().ToString("N"));
        try
        {
            var settings = env.GatewaySettings(useSharedStore: false);
            settings["Redis:Embedded:DataDirectory"] = directory;

            await using (await GatewayHost.StartAsync(settings))
            {
                var refused = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(settings));
                Assert.Contains($"The data directory {directory} could not be locked", refused.Message, StringComparison.Ordinal);
            }

            await using var next = await GatewayHost.StartAsync(settings);
            Assert.True(next.GetRequiredService<GatewayStore>().IsConnected);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_store_in_this_process_refuses_a_data_directory_another_holds()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gw-datadir-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (EmbeddedGarnetServer.Start(dataDirectory: directory, memory: "1m", pageSize: "64k", index: "64k"))
            {
                // A short wait: the start's 5 s of blocked waiting would hold one of this test process's few pool threads,
                // which every other test's in-process store answers on.
                var refused = Assert.Throws<IOException>(() => EmbeddedGarnetServer.Start(dataDirectory: directory, memory: "1m", pageSize: "64k", index: "64k", dataLockWait: TimeSpan.FromMilliseconds(300)));
                Assert.Contains(directory, refused.Message, StringComparison.Ordinal);
            }

            using var next = EmbeddedGarnetServer.Start(dataDirectory: directory, memory: "1m", pageSize: "64k", index: "64k");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_temporary_folder_and_a_data_directory_the_store_creates_are_its_user_s_alone()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix permissions.");
        using (var temporary = EmbeddedGarnetServer.Start(memory: "1m", pageSize: "64k", index: "64k"))
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(temporary.LogDirectory));
        }

        var parent = Path.Combine(Path.GetTempPath(), "gw-datadir-" + Guid.NewGuid().ToString("N"));
        var directory = Path.Combine(parent, "data");
        try
        {
            using (EmbeddedGarnetServer.Start(dataDirectory: directory, memory: "1m", pageSize: "64k", index: "64k"))
            {
                Assert.Equal(OwnerOnly, File.GetUnixFileMode(directory));
            }
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }
}
