using Wharf.Build.Parsing;
using Wharf.Core;

namespace Wharf.Unit.Tests.Build;

public sealed class DockerfileParserTests
{
    private static Instruction Single(string text) => DockerfileParser.Parse(text).Instructions.Single();

    [Theory]
    [InlineData("FROM busybox", "FROM")]
    [InlineData("from busybox", "FROM")]
    [InlineData("FROM --platform=linux/amd64 busybox AS build", "FROM")]
    [InlineData("FROM busybox as build", "FROM")]
    [InlineData("RUN echo hi", "RUN")]
    [InlineData("CMD [\"sh\"]", "CMD")]
    [InlineData("ENTRYPOINT echo", "ENTRYPOINT")]
    [InlineData("COPY a b", "COPY")]
    [InlineData("ADD a b", "ADD")]
    [InlineData("ENV A=1", "ENV")]
    [InlineData("ENV A 1 2", "ENV")]
    [InlineData("ARG A", "ARG")]
    [InlineData("ARG A=1 B", "ARG")]
    [InlineData("WORKDIR /x", "WORKDIR")]
    [InlineData("USER 1000:1000", "USER")]
    [InlineData("EXPOSE 80 443/udp", "EXPOSE")]
    [InlineData("VOLUME /data", "VOLUME")]
    [InlineData("VOLUME [\"/a\", \"/b\"]", "VOLUME")]
    [InlineData("LABEL a=b c=\"d e\"", "LABEL")]
    [InlineData("LABEL a b", "LABEL")]
    [InlineData("STOPSIGNAL SIGKILL", "STOPSIGNAL")]
    [InlineData("HEALTHCHECK NONE", "HEALTHCHECK")]
    [InlineData("HEALTHCHECK --interval=5s --retries=3 CMD true", "HEALTHCHECK")]
    [InlineData("SHELL [\"/bin/bash\", \"-c\"]", "SHELL")]
    [InlineData("ONBUILD RUN echo hi", "ONBUILD")]
    [InlineData("MAINTAINER me <me@example.com>", "MAINTAINER")]
    public void Every_instruction_parses(string line, string keyword) => Assert.Equal(keyword, Single(line).Keyword);

    [Theory]
    [InlineData("FOO bar", "Dockerfile:1: unknown instruction: FOO")]
    [InlineData("FROM busybox\n\nFROMM x", "Dockerfile:3: unknown instruction: FROMM")]
    [InlineData("FROM", "Dockerfile:1: FROM requires either one or three arguments")]
    [InlineData("FROM a b", "Dockerfile:1: FROM requires either one or three arguments")]
    [InlineData("FROM a is b", "Dockerfile:1: FROM requires either one or three arguments")]
    [InlineData("FROM a AS 1x", "Dockerfile:1: invalid name for build stage: \"1x\", name can't start with a number or contain symbols")]
    [InlineData("FROM a\nRUN", "Dockerfile:2: RUN requires at least one argument")]
    [InlineData("FROM a\nCOPY x", "Dockerfile:2: COPY requires at least two arguments, but only one was provided. Destination could not be determined.")]
    [InlineData("FROM a\nADD", "Dockerfile:2: ADD requires at least two arguments")]
    [InlineData("FROM a\nENV", "Dockerfile:2: ENV requires at least one argument")]
    [InlineData("FROM a\nENV A", "Dockerfile:2: ENV must have two arguments")]
    [InlineData("FROM a\nENV A=1 B", "Dockerfile:2: Syntax error - can't find = in \"B\". Must be of the form: name=value")]
    [InlineData("FROM a\nENV =1", "Dockerfile:2: ENV names can not be blank")]
    [InlineData("FROM a\nLABEL", "Dockerfile:2: LABEL requires at least one argument")]
    [InlineData("FROM a\nWORKDIR", "Dockerfile:2: WORKDIR requires exactly one argument")]
    [InlineData("FROM a\nWORKDIR a b", "Dockerfile:2: WORKDIR requires exactly one argument")]
    [InlineData("FROM a\nSTOPSIGNAL", "Dockerfile:2: STOPSIGNAL requires exactly one argument")]
    [InlineData("FROM a\nUSER", "Dockerfile:2: USER requires at least one argument")]
    [InlineData("FROM a\nEXPOSE", "Dockerfile:2: EXPOSE requires at least one argument")]
    [InlineData("FROM a\nVOLUME", "Dockerfile:2: VOLUME requires at least one argument")]
    [InlineData("FROM a\nVOLUME [\"\"]", "Dockerfile:2: VOLUME specified can not be an empty string")]
    [InlineData("FROM a\nSHELL /bin/sh -c", "Dockerfile:2: SHELL requires the arguments to be in JSON form")]
    [InlineData("FROM a\nHEALTHCHECK", "Dockerfile:2: HEALTHCHECK requires at least one argument")]
    [InlineData("FROM a\nHEALTHCHECK FOO x", "Dockerfile:2: Unknown type \"FOO\" in HEALTHCHECK (try CMD)")]
    [InlineData("FROM a\nHEALTHCHECK NONE x", "Dockerfile:2: HEALTHCHECK NONE takes no arguments")]
    [InlineData("FROM a\nHEALTHCHECK CMD", "Dockerfile:2: Missing command after HEALTHCHECK CMD")]
    [InlineData("FROM a\nONBUILD", "Dockerfile:2: ONBUILD requires at least one argument")]
    [InlineData("FROM a\nONBUILD ONBUILD RUN x", "Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")]
    [InlineData("FROM a\nONBUILD FROM x", "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger")]
    [InlineData("FROM a\nONBUILD MAINTAINER x", "Dockerfile:2: MAINTAINER isn't allowed as an ONBUILD trigger")]
    [InlineData("FROM a\nONBUILD BOGUS x", "Dockerfile:2: unknown instruction: BOGUS")]
    [InlineData("FROM a\nRUN --foo=bar true", "Dockerfile:2: unknown flag: foo")]
    [InlineData("FROM a\nCOPY --from=x --bogus a b", "Dockerfile:2: unknown flag: bogus")]
    [InlineData("FROM --from=x a", "Dockerfile:1: unknown flag: from")]
    [InlineData("FROM a\nENV --x=1 A=1", "Dockerfile:2: unknown flag: x")]
    [InlineData("FROM a\nRUN <<EOF\necho", "Dockerfile:2: unterminated heredoc EOF")]
    [InlineData("# escape=x\nFROM a", "Dockerfile:1: invalid escape token 'x' does not match ` or \\")]
    [InlineData("# escape=`\n# escape=\\\nFROM a", "Dockerfile:2: only one escape parser directive can be used")]
    [InlineData("", "Dockerfile: file with no instructions")]
    [InlineData("# only a comment\n\n", "Dockerfile: file with no instructions")]
    public void Invalid_files_name_line_and_fault(string text, string message)
    {
        var e = Assert.Throws<WharfException>(() => DockerfileParser.Parse(text));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Error_names_the_given_file()
    {
        var e = Assert.Throws<WharfException>(() => DockerfileParser.Parse("FROM a\nNOPE", "sub/Dockerfile.dev"));
        Assert.Equal("sub/Dockerfile.dev:2: unknown instruction: NOPE", e.Message);
    }

    [Fact]
    public void Continuations_join_lines_and_skip_comments_and_blank_lines()
    {
        var df = DockerfileParser.Parse("FROM a\nRUN echo a \\\n# comment\n\n    && echo b \\\n  && echo c\nCMD x");
        var run = df.Instructions[1];
        Assert.Equal("echo a     && echo b   && echo c", run.Args);
        Assert.Equal(2, run.Line);
        Assert.Equal(6, run.EndLine);
        Assert.Equal(7, df.Instructions[2].Line);
    }

    [Fact]
    public void Continuation_tolerates_trailing_whitespace_after_the_escape()
    {
        var run = DockerfileParser.Parse("FROM a\nRUN a \\   \n b").Instructions[1];
        Assert.Equal("a  b", run.Args);
    }

    [Fact]
    public void Backtick_escape_directive_makes_backslash_literal()
    {
        var df = DockerfileParser.Parse("# escape=`\nFROM a\nCOPY c:\\src `\n  c:\\dst");
        Assert.Equal('`', df.Directives.Escape);
        Assert.Equal("c:\\src   c:\\dst", df.Instructions[1].Args);
    }

    [Fact]
    public void Directives_are_read_only_at_the_top()
    {
        var df = DockerfileParser.Parse("# syntax=docker/dockerfile:1\n# check=skip=all\n#escape = `\nFROM a\n# escape=\\\nRUN x `\n y");
        Assert.Equal("docker/dockerfile:1", df.Directives.Syntax);
        Assert.Equal("skip=all", df.Directives.Check);
        Assert.Equal('`', df.Directives.Escape);
        Assert.Equal("x  y", df.Instructions[1].Args);
    }

    [Fact]
    public void A_comment_ends_the_directives()
    {
        var df = DockerfileParser.Parse("# hello\n# escape=`\nFROM a");
        Assert.Equal('\\', df.Directives.Escape);
    }

    [Fact]
    public void Blank_line_ends_the_directives()
    {
        var df = DockerfileParser.Parse("\n# escape=`\nFROM a");
        Assert.Equal('\\', df.Directives.Escape);
    }

    [Theory]
    [InlineData("CMD [\"echo\", \"hi\"]", new[] { "echo", "hi" })]
    [InlineData("CMD []", new string[0])]
    [InlineData("ENTRYPOINT [ \"a b\" ]", new[] { "a b" })]
    [InlineData("RUN [\"sh\",\"-c\",\"echo \\\"x\\\"\"]", new[] { "sh", "-c", "echo \"x\"" })]
    public void Exec_form_is_a_json_string_array(string line, string[] expected) =>
        Assert.Equal(expected, Single(line).Json);

    [Theory]
    [InlineData("CMD [\"echo\", 'hi']")]
    [InlineData("CMD [echo]")]
    [InlineData("CMD [\"a\", 1]")]
    [InlineData("CMD [\"a\",")]
    [InlineData("CMD echo [\"a\"]")]
    [InlineData("RUN [ -f x ] && echo y")]
    public void Invalid_json_is_the_shell_form(string line)
    {
        var ins = Single(line);
        Assert.Null(ins.Json);
        Assert.Equal(line[(line.IndexOf(' ') + 1)..], ins.Args);
    }

    [Fact]
    public void Flags_are_split_from_the_arguments()
    {
        var ins = Single("COPY --from=build --chown=1:2 --link src/ /dst/");
        Assert.Equal([new InstructionFlag("from", "build"), new InstructionFlag("chown", "1:2"), new InstructionFlag("link", null)], ins.Flags);
        Assert.Equal("src/ /dst/", ins.Args);
        Assert.Equal("build", ins.Flag("from"));
        Assert.True(ins.HasFlag("link"));
    }

    [Fact]
    public void Repeated_flags_are_kept_in_order()
    {
        var ins = Single("RUN --mount=type=cache,target=/a --mount=type=tmpfs,target=/b echo");
        Assert.Equal(["type=cache,target=/a", "type=tmpfs,target=/b"], ins.FlagValues("mount"));
        Assert.Equal("echo", ins.Args);
    }

    [Fact]
    public void Flags_before_the_exec_form()
    {
        var ins = Single("RUN --network=none [\"echo\", \"x\"]");
        Assert.Equal(["echo", "x"], ins.Json);
    }

    [Fact]
    public void Heredoc_run()
    {
        var ins = DockerfileParser.Parse("FROM a\nRUN <<EOF\necho one\necho $HOME\nEOF\nCMD x").Instructions[1];
        var h = Assert.Single(ins.Heredocs);
        Assert.Equal("EOF", h.Name);
        Assert.Equal("echo one\necho $HOME\n", h.Content);
        Assert.True(h.Expand);
        Assert.Equal(5, ins.EndLine);
    }

    [Fact]
    public void Heredoc_quoted_delimiter_is_not_expanded_and_chomp_strips_tabs()
    {
        var df = DockerfileParser.Parse("FROM a\nCOPY <<-\"END\" /f\n\tline1\n\t\tline2\n\tEND\nRUN x");
        var h = Assert.Single(df.Instructions[1].Heredocs);
        Assert.False(h.Expand);
        Assert.True(h.Chomp);
        Assert.Equal("line1\nline2\n", h.Content);
        Assert.Equal("RUN", df.Instructions[2].Keyword);
    }

    [Fact]
    public void Several_heredocs_on_one_line()
    {
        var ins = DockerfileParser.Parse("FROM a\nCOPY <<A <<B /dst/\na\nA\nb\nB").Instructions[1];
        Assert.Equal(["A", "B"], ins.Heredocs.Select(h => h.Name));
        Assert.Equal(["a\n", "b\n"], ins.Heredocs.Select(h => h.Content));
    }

    [Fact]
    public void Heredoc_as_stdin_of_a_command()
    {
        var ins = DockerfileParser.Parse("FROM a\nRUN cat <<EOF > /x\nhi\nEOF").Instructions[1];
        Assert.Equal("cat <<EOF > /x", ins.Args);
        Assert.Equal("hi\n", ins.Heredocs[0].Content);
    }

    [Fact]
    public void Heredoc_markers_are_not_read_in_other_instructions()
    {
        var ins = DockerfileParser.Parse("FROM a\nLABEL x=<<EOF").Instructions[1];
        Assert.Empty(ins.Heredocs);
    }

    [Fact]
    public void Onbuild_keeps_its_trigger()
    {
        var ins = DockerfileParser.Parse("FROM a\nONBUILD COPY --chown=1 . /app").Instructions[1];
        Assert.Equal("COPY . /app", ins.Trigger!.Keyword + " " + ins.Trigger.Args);
        Assert.Equal("COPY --chown=1 . /app", ins.Args);
    }

    [Fact]
    public void Comments_indented_and_crlf()
    {
        var df = DockerfileParser.Parse("\uFEFF  # c\r\nFROM a\r\n   RUN x\r\n");
        Assert.Equal(["FROM", "RUN"], df.Instructions.Select(i => i.Keyword));
        Assert.Equal("x", df.Instructions[1].Args);
    }

    [Fact]
    public void Hash_inside_an_instruction_is_not_a_comment()
    {
        Assert.Equal("echo a # b", Single("RUN echo a # b").Args);
    }

    [Fact]
    public void Original_is_what_step_lines_show()
    {
        var ins = DockerfileParser.Parse("FROM a\n  run   echo \\\n hi  ").Instructions[1];
        Assert.Equal("run   echo  hi", ins.Original);
    }

    [Fact]
    public void Multi_stage_file()
    {
        var df = DockerfileParser.Parse("""
            ARG BASE=busybox
            FROM ${BASE} AS build
            RUN echo hi > /x
            FROM busybox
            COPY --from=build /x /x
            """);
        Assert.Equal(["ARG", "FROM", "RUN", "FROM", "COPY"], df.Instructions.Select(i => i.Keyword));
    }
}
