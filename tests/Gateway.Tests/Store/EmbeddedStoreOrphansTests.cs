using LlmGateway.Store;

namespace LlmGateway.Tests.Store;

/// <summary>A killed store leaves its temporary log folder behind; the next start deletes those of processes that are gone.</summary>
public sealed class EmbeddedStoreOrphansTests
{
    [Fact]
    public void Only_the_folders_of_stores_whose_process_is_gone_are_deleted()
    {
        var temporary = Directory.CreateTempSubdirectory("gw-orphans-");
        try
        {
            // No Linux process id reaches 2^31 - 2 (the kernel's maximum is 2^22).
            var orphan = Directory.CreateDirectory(Path.Combine(temporary.FullName, EmbeddedGarnetServer.TemporaryPrefix + "2147483646-0123abcd"));
            File.WriteAllText(Path.Combine(orphan.FullName, "segment.0"), "log");
            var running = Directory.CreateDirectory(Path.Combine(temporary.FullName, $"{EmbeddedGarnetServer.TemporaryPrefix}{Environment.ProcessId}-4567ef"));
            var unnamed = Directory.CreateDirectory(Path.Combine(temporary.FullName, EmbeddedGarnetServer.TemporaryPrefix + "not-a-process"));
            var other = Directory.CreateDirectory(Path.Combine(temporary.FullName, "someone-elses-2147483646-x"));

            EmbeddedGarnetServer.DeleteOrphans(temporary.FullName);

            Assert.False(Directory.Exists(orphan.FullName));
            Assert.True(Directory.Exists(running.FullName));
            Assert.True(Directory.Exists(unnamed.FullName));
            Assert.True(Directory.Exists(other.FullName));
        }
        finally
        {
            temporary.Delete(recursive: true);
        }
    }
}
