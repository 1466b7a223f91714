namespace Wharf.Snapshots.Archive;

/// <summary>The kinds of GET /containers/{id}/changes, with Docker's numbers.</summary>
public enum ChangeKind
{
    Modified = 0,
    Added = 1,
    Deleted = 2,
}
