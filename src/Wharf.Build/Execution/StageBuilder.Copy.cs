using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Wharf.Build.Context;
using Wharf.Build.Parsing;
using Wharf.Core;

namespace Wharf.Build.Execution;

internal sealed partial class StageBuilder
{
    private async Task CopyAsync(Instruction ins, bool isAdd, CancellationToken ct)
    {
        var keyword = ins.Keyword;
        var args = (ins.Json ?? (IReadOnlyList<string>)Words.Split(ins.Args, Escape)).ToList();
        var dest = Expand(args[^1], ins);
        var rawSources = args.Take(args.Count - 1).ToList();
        if (!dest.StartsWith('/'))
            dest = (_config.WorkingDir ?? "/").TrimEnd('/') + "/" + dest;
        var destIsDirHint = args[^1].EndsWith('/') || args[^1].EndsWith("/.") || args[^1] == ".";
        var chown = ins.Flag("chown") is { } c ? Expand(c, ins) : null;
        UnixFileMode? chmod = ins.Flag("chmod") is { } m ? ParseMode(Expand(m, ins)) : null;
        var parents = ins.HasFlag("parents") && ins.Flag("parents") != "false";
        var exclude = DockerIgnore.Parse(string.Join('\n', ins.FlagValues("exclude").Select(e => Expand(e, ins))));
        var checksum = ins.Flag("checksum") is { } cs ? Expand(cs, ins) : null;

        var temp = Directory.CreateTempSubdirectory("wharf-copy-");
        IBuildSnapshot? fromSnapshot = null;
        try
        {
            string sourceRoot = session.ContextRoot;
            string? fromImage = null;
            if (ins.Flag("from") is { } from)
            {
                if (isAdd) throw DockerfileErrors.At(DfName, ins.Line, "unknown flag: from");
                fromImage = await ResolveFromAsync(from, ins);
                fromSnapshot = session.Backend.OpenSnapshot(fromImage);
                sourceRoot = fromSnapshot.Root;
            }

            var sources = new List<CopySource>();
            var archives = new HashSet<CopySource>();
            foreach (var raw in rawSources)
            {
                if (ins.Heredocs.FirstOrDefault(h => raw == "<<" + h.Name || raw == "<<-" + h.Name
                        || raw.Trim('"', '\'') == "<<" + h.Name || Regex.IsMatch(raw, $"^<<-?[\"']{Regex.Escape(h.Name)}[\"']$")) is { } doc)
                {
                    var path = Path.Combine(temp.FullName, doc.Name);
                    await System.IO.File.WriteAllTextAsync(path, doc.Expand ? ExpandHeredoc(doc.Content) : doc.Content, ct);
                    File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
                    sources.Add(new CopySource(path, doc.Name, false));
                    continue;
                }
                var src = Expand(raw, ins);
                if (isAdd && (src.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || src.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
                {
                    sources.Add(await UrlSource.DownloadAsync(src, checksum, temp.FullName, ct));
                    continue;
                }
                if (checksum is not null) throw DockerfileErrors.At(DfName, ins.Line, "checksum can't be specified for non-HTTP(S) sources");
                foreach (var s in FileCopier.Expand(sourceRoot, src, parents, keyword))
                {
                    sources.Add(s);
                    if (isAdd && fromImage is null && !s.IsDirectory && ArchiveExtractor.IsArchive(s.HostPath)) archives.Add(s);
                }
            }
            var destIsDir = destIsDirHint || sources.Count > 1 || parents;
            if (sources.Count > 1 && !destIsDirHint)
                throw WharfException.Invalid($"When using {keyword} with more than one source file, the destination must be a directory and end with a /");

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var s in sources) FileCopier.Hash(hash, s, exclude);
            var sum = Convert.ToHexStringLower(hash.GetHashAndReset());
            var kind = sources.Count == 1 ? sources[0].IsDirectory ? "dir" : "file" : "multi";
            var createdBy = $"/bin/sh -c #(nop) {keyword} {kind}:{sum} in {dest} ";
            var key = BuildCache.Key("copy", _imageId, createdBy, chown, chmod?.ToString(), parents.ToString(),
                string.Join('\n', ins.FlagValues("exclude")), destIsDir.ToString(), string.Join(',', archives.Select(a => a.Name)));
            if (await TryCacheAsync(key, createdBy)) return;

            using var snapshot = session.Backend.OpenSnapshot(_imageId);
            var owner = Ownership.Resolve(chown, snapshot.Root);
            foreach (var s in sources)
            {
                if (archives.Contains(s))
                {
                    var dir = FileCopier.MakeDirs(snapshot.Root, dest, owner);
                    ArchiveExtractor.Extract(s.HostPath, snapshot.Root, RootPath.Relative(snapshot.Root, dir));
                }
                else FileCopier.Copy(s, snapshot.Root, dest, destIsDir, owner, chmod, exclude);
            }
            var id = snapshot.Commit(new StepCommit(_imageId, _config, createdBy, _author));
            await CommittedAsync(key, id);
        }
        finally
        {
            fromSnapshot?.Dispose();
            temp.Delete(recursive: true);
        }
    }

    private static UnixFileMode ParseMode(string text)
    {
        try { return (UnixFileMode)Convert.ToInt32(text, 8); }
        catch (FormatException) { throw WharfException.Invalid($"invalid chmod parameter: {text}"); }
    }

    /// <summary>Unquoted heredocs of COPY expand variables but keep quotes as written.</summary>
    private string ExpandHeredoc(string content) =>
        Regex.Replace(content, @"\$\{(\w+)\}|\$(\w+)", m => Lookup(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value) ?? "");
}
