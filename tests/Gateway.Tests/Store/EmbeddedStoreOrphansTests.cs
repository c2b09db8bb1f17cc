using LlmGateway.Store;

namespace LlmGateway.Tests.Store;

/// <summary>
/// A killed store leaves its temporary log folder behind; the next start deletes the folders whose store is gone, told
/// by the lock each store holds beside its folder while it runs (process ids repeat, and differ between namespaces).
/// </summary>
public sealed class EmbeddedStoreOrphansTests
{
    [Fact]
    public void Only_the_folders_whose_store_no_longer_holds_its_lock_are_deleted()
    {
        var temporary = Directory.CreateTempSubdirectory("gw-orphans-");
        try
        {
            var orphan = Folder(temporary, "1-0123abcd", withLock: true);
            File.WriteAllText(Path.Combine(orphan, "segment.0"), "log");
            var running = Folder(temporary, "1-4567ef", withLock: true);
            var unlocked = Folder(temporary, "2-89ab", withLock: false);
            var other = Directory.CreateDirectory(Path.Combine(temporary.FullName, "someone-elses-1-x")).FullName;

            // Its store runs (the same process id as the orphan's, as after a container's restart): its lock is held.
            using (new FileStream(running + EmbeddedGarnetServer.LockSuffix, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                EmbeddedGarnetServer.DeleteOrphans(temporary.FullName);
            }

            Assert.False(Directory.Exists(orphan));
            Assert.False(File.Exists(orphan + EmbeddedGarnetServer.LockSuffix));
            Assert.True(Directory.Exists(running));
            Assert.True(Directory.Exists(unlocked));
            Assert.True(Directory.Exists(other));
        }
        finally
        {
            temporary.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_running_store_s_folder_survives_another_start_and_goes_with_its_stop()
    {
        var first = EmbeddedGarnetServer.Start(memory: "1m", pageSize: "64k", index: "64k");
        try
        {
            using (EmbeddedGarnetServer.Start(memory: "1m", pageSize: "64k", index: "64k"))
            {
                Assert.True(Directory.Exists(first.LogDirectory));
            }
        }
        finally
        {
            first.Dispose();
        }

        Assert.False(Directory.Exists(first.LogDirectory));
        Assert.False(File.Exists(first.LogDirectory + EmbeddedGarnetServer.LockSuffix));
    }

    private static string Folder(DirectoryInfo temporary, string name, bool withLock)
    {
        var folder = Directory.CreateDirectory(Path.Combine(temporary.FullName, EmbeddedGarnetServer.TemporaryPrefix + name)).FullName;
        if (withLock)
        {
            File.WriteAllText(folder + EmbeddedGarnetServer.LockSuffix, "");
        }

        return folder;
    }
}
