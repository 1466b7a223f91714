namespace Wharf.Content;

/// <summary>The whole content store: the role interfaces composed.</summary>
public interface IContentStore : IContentProvider, IIngester, IContentManager;
