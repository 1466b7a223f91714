namespace Wharf.Cli.Parsing;

/// <summary>Bad command line; the CLI prints it with a usage hint and exits 125 like docker's flag errors.</summary>
internal sealed class UsageException(string message) : Exception(message);
