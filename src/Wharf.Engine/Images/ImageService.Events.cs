using Wharf.Api.Events;

namespace Wharf.Engine.Images;

public sealed partial class ImageService
{
    /// <summary>Image events for GET /events (moby LogImageEvent: tag, untag, delete, import, load, save, prune).</summary>
    public event Action<EventMessage>? Event;

    /// <summary>Publishes an image event: actor = image id, attributes = the image's labels plus "name"
    /// (the new name for tag, the id otherwise, as moby). Call under the lock while the image still exists, or
    /// with <paramref name="labels"/> already read.</summary>
    private void Emit(string action, string id, string name, IReadOnlyDictionary<string, string>? labels = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        if (Event is not { } handler) return;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (labels is null && Store.Exists(id))
        {
            try { labels = Store.GetConfig(id).Config?.Labels; } catch (Wharf.Core.WharfException) { }
        }
        if (labels is not null)
            foreach (var (k, v) in labels) attributes[k] = v;
        if (name.Length > 0) attributes["name"] = name;
        if (extra is not null)
            foreach (var (k, v) in extra) attributes[k] = v;
        handler(new EventMessage
        {
            Status = id.Length > 0 ? action : null,
            Id = id.Length > 0 ? id : null,
            Type = "image",
            Action = action,
            Actor = new EventActor { ID = id, Attributes = attributes },
        });
    }
}
