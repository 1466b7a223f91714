namespace Wharf.Unit.Tests.Client;

internal sealed record FakeResponse(int Status, string Body, string ContentType = "application/json", string ApiVersion = "1.50");
