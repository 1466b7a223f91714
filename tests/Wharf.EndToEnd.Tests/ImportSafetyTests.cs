namespace Wharf.EndToEnd.Tests;

/// <summary>
/// A tar that tries to write outside its root must fail to import, leave no image behind, and touch nothing on the
/// host.
/// </summary>
[Collection(ImagesCollection.Name)]
public sealed class ImportSafetyTests(DaemonFixture wharf)
{
    private async Task<string[]> AllImageIds() =>
        (await wharf.Docker("images", "-aq", "--no-trunc")).EnsureSuccess().StdoutLines;

    private async Task AssertImportRejected(string tar, string reference)
    {
        var before = await AllImageIds();

        var result = await wharf.Docker("import", tar, reference);

        Assert.True(result.ExitCode != 0, "the hostile tar was imported: " + result);
        Assert.Contains("Error response from daemon", result.Stderr, StringComparison.Ordinal);
        var inspect = await wharf.Docker("image", "inspect", reference);
        Assert.True(inspect.ExitCode != 0, "an image was left behind: " + inspect);
        Assert.Equal(before.Order(StringComparer.Ordinal), (await AllImageIds()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Dot_dot_entry_is_rejected_and_writes_nothing_outside()
    {
        var outside = Path.Combine("/tmp", wharf.UniqueName("wharf-evil-dotdot"));
        var tar = Path.Combine(wharf.TempDir, wharf.UniqueName("dotdot") + ".tar");
        TarFiles.WriteDotDotEscape(tar, outside);
        try
        {
            await AssertImportRejected(tar, wharf.UniqueName("evil-dotdot"));
            Assert.False(File.Exists(outside), $"{outside} was written by the import");
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Write_through_a_symlink_to_the_host_is_rejected(bool absoluteLink)
    {
        var hostDir = Path.Combine("/tmp", wharf.UniqueName("wharf-evil-dir"));
        Directory.CreateDirectory(hostDir);
        var link = absoluteLink ? hostDir : string.Concat(Enumerable.Repeat("../", 24)) + hostDir.TrimStart('/');
        var tar = Path.Combine(wharf.TempDir, wharf.UniqueName("symlink") + ".tar");
        TarFiles.WriteSymlinkEscape(tar, link);
        try
        {
            await AssertImportRejected(tar, wharf.UniqueName("evil-symlink"));
            Assert.Empty(Directory.EnumerateFileSystemEntries(hostDir));
        }
        finally
        {
            Directory.Delete(hostDir, recursive: true);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Hard_link_to_a_host_file_is_rejected(bool absoluteLink)
    {
        var hostFile = Path.Combine("/tmp", wharf.UniqueName("wharf-evil-target"));
        await File.WriteAllTextAsync(hostFile, "original");
        var link = absoluteLink ? hostFile : string.Concat(Enumerable.Repeat("../", 24)) + hostFile.TrimStart('/');
        var tar = Path.Combine(wharf.TempDir, wharf.UniqueName("hardlink") + ".tar");
        TarFiles.WriteHardLinkEscape(tar, link);
        try
        {
            await AssertImportRejected(tar, wharf.UniqueName("evil-hardlink"));
            Assert.Equal("original", await File.ReadAllTextAsync(hostFile));
            var links = (await ProcessRunner.RunAsync("stat", ["-c", "%h", hostFile])).EnsureSuccess();
            Assert.Equal("1", links.Stdout.Trim());
        }
        finally
        {
            File.Delete(hostFile);
        }
    }
}
