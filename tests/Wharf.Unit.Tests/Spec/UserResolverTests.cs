using Wharf.Core;
using Wharf.Runtime.Spec;

namespace Wharf.Unit.Tests.Spec;

public sealed class UserResolverTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wharf-user-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string path, string text)
    {
        var full = Path.Combine(_root, path.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    private void WriteStandardFiles()
    {
        Write("/etc/passwd", """
            root:x:0:0:root:/root:/bin/sh
            # a comment
            daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
            app:x:1000:1000:App:/home/app:/bin/sh
            nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
            """);
        Write("/etc/group", """
            root:x:0:root
            wheel:x:10:root,app
            app:x:1000:
            audio:x:29:app
            staff:x:50:
            """);
    }

    [Fact]
    public void Empty_user_is_root_with_roots_groups()
    {
        WriteStandardFiles();
        var u = UserResolver.Resolve(_root, "");
        Assert.Equal((0u, 0u), (u.Uid, u.Gid));
        Assert.Equal([0u, 10u], u.AdditionalGids);
        Assert.Equal("/root", u.Home);
    }

    [Fact]
    public void Name_resolves_uid_gid_and_supplementary_groups()
    {
        WriteStandardFiles();
        var u = UserResolver.Resolve(_root, "app");
        Assert.Equal((1000u, 1000u), (u.Uid, u.Gid));
        Assert.Equal([10u, 29u], u.AdditionalGids);
        Assert.Equal("/home/app", u.Home);
    }

    [Fact]
    public void Numeric_uid_uses_the_entry_when_present_and_needs_none()
    {
        WriteStandardFiles();
        var known = UserResolver.Resolve(_root, "1000");
        Assert.Equal((1000u, 1000u), (known.Uid, known.Gid));
        Assert.Equal([10u, 29u], known.AdditionalGids);

        var unknown = UserResolver.Resolve(_root, "4242");
        Assert.Equal((4242u, 0u), (unknown.Uid, unknown.Gid));
        Assert.Empty(unknown.AdditionalGids);
    }

    [Fact]
    public void Numeric_ids_need_no_files()
    {
        var u = UserResolver.Resolve(_root, "123:456");
        Assert.Equal((123u, 456u), (u.Uid, u.Gid));
        Assert.Empty(u.AdditionalGids);
        Assert.Equal(0u, UserResolver.Resolve(_root, null).Uid);
    }

    [Fact]
    public void Explicit_group_sets_gid_and_no_supplementary_groups()
    {
        WriteStandardFiles();
        var byName = UserResolver.Resolve(_root, "app:staff");
        Assert.Equal((1000u, 50u), (byName.Uid, byName.Gid));
        Assert.Empty(byName.AdditionalGids);
        var byId = UserResolver.Resolve(_root, "app:777");
        Assert.Equal(777u, byId.Gid);
    }

    [Fact]
    public void Unknown_names_use_dockers_wording()
    {
        WriteStandardFiles();
        var ex = Assert.Throws<WharfException>(() => UserResolver.Resolve(_root, "x"));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal("unable to find user x: no matching entries in passwd file", ex.Message);
        var g = Assert.Throws<WharfException>(() => UserResolver.Resolve(_root, "app:nogroup"));
        Assert.Equal("unable to find group nogroup: no matching entries in group file", g.Message);
        // No passwd at all: names fail the same way.
        File.Delete(Path.Combine(_root, "etc/passwd"));
        Assert.Equal("unable to find user app: no matching entries in passwd file",
            Assert.Throws<WharfException>(() => UserResolver.Resolve(_root, "app")).Message);
    }

    [Fact]
    public void Out_of_range_ids_are_refused()
    {
        var ex = Assert.Throws<WharfException>(() => UserResolver.Resolve(_root, "4294967295"));
        Assert.Equal("uids and gids must be in range 0-2147483647", ex.Message);
    }

    [Fact]
    public void Group_add_appends_by_name_or_number()
    {
        WriteStandardFiles();
        var u = UserResolver.Resolve(_root, "app", ["staff", "5000"]);
        Assert.Equal([10u, 29u, 50u, 5000u], u.AdditionalGids);
        Assert.Throws<WharfException>(() => UserResolver.Resolve(_root, "app", ["nosuch"]));
    }

    [Fact]
    public void Absolute_symlink_to_the_hosts_shadow_stays_inside_the_rootfs()
    {
        // The host's /etc/shadow has a "root:" line; the rootfs copy has a user only it knows.
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.CreateSymbolicLink(Path.Combine(_root, "etc/passwd"), "/etc/shadow");
        Assert.Throws<WharfException>(() => UserResolver.Resolve(_root, "root"));

        Write("/etc/shadow", "inside:x:4321:4321::/in:/bin/sh\n");
        var u = UserResolver.Resolve(_root, "inside");
        Assert.Equal(4321u, u.Uid);
    }

    [Fact]
    public void Relative_symlinks_cannot_climb_out()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.CreateSymbolicLink(Path.Combine(_root, "etc/passwd"), "../../../../../../../../etc/passwd");
        // Resolves to {root}/etc/passwd again (the link itself) → loop → not the host's file.
        Assert.ThrowsAny<WharfException>(() => UserResolver.Resolve(_root, "root"));

        File.Delete(Path.Combine(_root, "etc/passwd"));
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        File.WriteAllText(Path.Combine(_root, "data/pw"), "viaLink:x:77:77::/:/bin/sh\n");
        File.CreateSymbolicLink(Path.Combine(_root, "etc/passwd"), "../../../data/pw");
        Assert.Equal(77u, UserResolver.Resolve(_root, "viaLink").Uid);
    }

    [Fact]
    public void Symlinked_etc_directory_is_resolved_inside()
    {
        Directory.CreateDirectory(Path.Combine(_root, "real/etc"));
        File.WriteAllText(Path.Combine(_root, "real/etc/passwd"), "dirlink:x:55:55::/:/bin/sh\n");
        File.CreateSymbolicLink(Path.Combine(_root, "etc"), "/real/etc");
        Assert.Equal(55u, UserResolver.Resolve(_root, "dirlink").Uid);
        Assert.Equal(Path.Combine(_root, "real/etc/passwd"), RootfsPath.Join(_root, "/etc/passwd"));
    }

    [Fact]
    public void Join_never_leaves_the_root()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "up"), "../../..");
        Assert.Equal(_root + "/etc", RootfsPath.Join(_root, "/up/etc"));
        Assert.Equal(_root + "/x", RootfsPath.Join(_root, "../../x"));
    }

    [Fact]
    public void A_fifo_passwd_does_not_hang()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        var fifo = Path.Combine(_root, "etc/passwd");
        var p = System.Diagnostics.Process.Start("mkfifo", fifo);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(1u, UserResolver.Resolve(_root, "1").Uid);
        Assert.Throws<WharfException>(() => UserResolver.Resolve(_root, "root"));
    }
}
