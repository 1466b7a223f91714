// The tests drive Linux containers through runc; they only ever run on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
