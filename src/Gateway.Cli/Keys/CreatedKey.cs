namespace LlmGateway.Cli.Keys;

/// <summary><c>201 {"key":"gwk_…","record":{…}}</c>: the only time the secret is ever shown.</summary>
internal sealed record CreatedKey(string Key, GatewayKeyRecord Record);
