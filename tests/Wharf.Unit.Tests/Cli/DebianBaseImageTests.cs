using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Wharf.Cli.BaseImage;

namespace Wharf.Unit.Tests.Cli;

/// <summary>`wharf base-image debian`: argument handling, the rootfs cache key, the mirror default and the
/// deterministic image archive (the mmdebstrap run itself is covered end to end).</summary>
public sealed class DebianBaseImageTests
{
    private static DebianOptions Options(string suite = "bookworm", string[]? includes = null, string mirror = "http://deb.debian.org/debian", long epoch = 946684800) =>
        new(suite, includes ?? [], mirror, epoch);

    [Fact]
    public void Includes_are_split_sorted_and_deduplicated()
    {
        Assert.Equal(["curl", "postgresql-15", "vim"], DebianOptions.ParseIncludes(["vim,curl", " postgresql-15 ,curl"]));
        Assert.Equal(["libc6:amd64", "pkg=1.2-3~b1"], DebianOptions.ParseIncludes(["pkg=1.2-3~b1,libc6:amd64"]));
        Assert.Empty(DebianOptions.ParseIncludes([]));
    }

    [Theory]
    [InlineData("Vim")]
    [InlineData("a;rm -rf /")]
    [InlineData("$(id)")]
    [InlineData("-x")]
    public void Bad_package_names_are_refused(string name) =>
        Assert.Throws<BaseImageException>(() => DebianOptions.ParseIncludes([name]));

    [Fact]
    public void Cache_key_depends_on_suite_packages_mirror_and_epoch_only()
    {
        var key = Options(includes: ["a", "b"]).CacheKey();
        Assert.Equal(key, Options(includes: DebianOptions.ParseIncludes(["b,a"]).ToArray()).CacheKey());
        Assert.Equal(key, Options(includes: ["a", "b"], mirror: "http://deb.debian.org/debian").CacheKey());
        Assert.NotEqual(key, Options(includes: ["a"]).CacheKey());
        Assert.NotEqual(key, Options(suite: "trixie", includes: ["a", "b"]).CacheKey());
        Assert.NotEqual(key, Options(includes: ["a", "b"], mirror: "http://mirror.example/debian").CacheKey());
        Assert.NotEqual(key, Options(includes: ["a", "b"], epoch: 1).CacheKey());
        Assert.Matches("^[0-9a-f]{64}$", key);
    }

    [Fact]
    public void Mirror_comes_from_apt_sources()
    {
        const string deb822 = "Types: deb\nURIs: http://mirror.local/debian\nSuites: bookworm\n\nTypes: deb\nURIs: http://mirror.local/debian-security\n";
        Assert.Equal("http://mirror.local/debian", DebianOptions.MirrorFromSources([deb822]));
        Assert.Equal("http://m2/debian", DebianOptions.MirrorFromSources(["# c\ndeb [arch=amd64] http://m2/debian/ bookworm main\n"]));
        Assert.Equal("http://m3/debian", DebianOptions.MirrorFromSources(["deb http://m3/debian bookworm main"]));
        Assert.Equal(DebianOptions.FallbackMirror, DebianOptions.MirrorFromSources(["deb http://security.debian.org/debian-security bookworm-security main"]));
        Assert.Equal(DebianOptions.FallbackMirror, DebianOptions.MirrorFromSources([]));
    }

    [Fact]
    public void Mmdebstrap_arguments_are_minbase_tar_with_the_cleanup_hook()
    {
        var args = Options(includes: ["curl", "vim"]).MmdebstrapArguments("/tmp/out.tar");
        Assert.Contains("--variant=minbase", args);
        Assert.Contains("--format=tar", args);
        Assert.Contains("--skip=output/dev", args);
        Assert.Contains("--include=curl,vim", args);
        Assert.Contains(args, a => a.StartsWith("--customize-hook=", StringComparison.Ordinal) && a.Contains("var/lib/apt/lists", StringComparison.Ordinal) && a.Contains("machine-id", StringComparison.Ordinal));
        Assert.Equal(["bookworm", "/tmp/out.tar", "http://deb.debian.org/debian"], args.TakeLast(3));
        Assert.DoesNotContain(Options().MmdebstrapArguments("/o"), a => a.StartsWith("--include", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Archive_is_deterministic_and_names_its_parts_by_digest()
    {
        var dir = Path.Combine(Path.GetTempPath(), "wharf-deb-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var rootfs = Path.Combine(dir, "rootfs.tar");
            await File.WriteAllBytesAsync(rootfs, RandomNumberGenerator.GetBytes(4096));
            var archive = new BaseImageArchive("debian:bookworm", ["PATH=/usr/bin:/bin"], ["bash"], DateTimeOffset.FromUnixTimeSeconds(946684800), "wharf base-image debian --suite bookworm");
            var one = new MemoryStream();
            await archive.WriteAsync(rootfs, one);
            var two = new MemoryStream();
            await archive.WriteAsync(rootfs, two);
            Assert.Equal(one.ToArray(), two.ToArray());

            var files = new Dictionary<string, byte[]>();
            using (var reader = new TarReader(new MemoryStream(one.ToArray())))
                while (reader.GetNextEntry() is { } e)
                {
                    var ms = new MemoryStream();
                    e.DataStream!.CopyTo(ms);
                    files[e.Name] = ms.ToArray();
                }
            var manifest = JsonDocument.Parse(files["manifest.json"]).RootElement[0];
            Assert.Equal("debian:bookworm", manifest.GetProperty("RepoTags")[0].GetString());
            var configName = manifest.GetProperty("Config").GetString()!;
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(files[configName])) + ".json", configName);
            var config = JsonDocument.Parse(files[configName]).RootElement;
            var layerName = manifest.GetProperty("Layers")[0].GetString()!;
            Assert.Equal("sha256:" + layerName.Split('/')[0], config.GetProperty("rootfs").GetProperty("diff_ids")[0].GetString());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(files[layerName])), layerName.Split('/')[0]);
            Assert.Equal("2000-01-01T00:00:00Z", config.GetProperty("created").GetString());
            Assert.Equal("bash", config.GetProperty("config").GetProperty("Cmd")[0].GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
