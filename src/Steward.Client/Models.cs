using System.Text.Json;

namespace Steward.Client;

/// <summary>A contact as Steward returns it (CreateContact, GetContact, RectifyContact).</summary>
public sealed record Contact(Guid Id, string? Email, string? FirstName, string? LastName, string? Company, string? Title,
    string? Phone, string? Address, string? Bio, string? IpAddress, string? Country, string? City,
    Dictionary<string, JsonElement> Custom, string Source, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? RestrictedAt);

/// <summary>A new contact, or the fields to correct; null fields are not sent. Custom fields must be declared first.</summary>
public sealed class ContactInput
{
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Company { get; init; }
    public string? Title { get; init; }
    public string? Phone { get; init; }
    public string? Address { get; init; }
    public string? Bio { get; init; }
    public string? IpAddress { get; init; }
    public string? Country { get; init; }
    public string? City { get; init; }
    public Dictionary<string, object?>? Custom { get; init; }
}

/// <summary>One page of ListContacts; pass <see cref="NextCursor"/> for the next.</summary>
public sealed record ContactPage(List<Contact> Items, string? NextCursor);

/// <summary>One consent given or withdrawn, with its proof: how, when, on which widget version and its exact text (GetConsents).</summary>
public sealed record ConsentProof(Guid Id, string Purpose, string Kind, string Method, DateTimeOffset At, Guid? WidgetId,
    int? WidgetVersion, string? Text, string? TextSha256, string? IpAddress, string? UserAgent, string? Evidence, string? ReceiptUrl);

public sealed record WidgetPurpose(string Key, string Text, bool Required, string TextSha256, bool Marketing);

/// <summary>A consent widget at its current version.</summary>
public sealed record Widget(Guid Id, string Name, int Version, List<string> Fields, List<WidgetPurpose> Purposes, List<string> AllowedOrigins, DateTimeOffset CreatedAt);

public sealed record WidgetPurposeInput(string Key, string Text, bool Required, bool? Marketing = null);

/// <summary>A widget's definition: the contact fields it asks for and its consent purposes (never pre-ticked).</summary>
public sealed record WidgetInput(string Name, List<string> Fields, List<WidgetPurposeInput> Purposes, List<string>? AllowedOrigins = null);

public sealed record RequestStep(DateTimeOffset At, string Action, string? From, string To, string ActorType, string? ActorId);

/// <summary>A data subject request with its deadline (Art. 12(3)) and its history.</summary>
public sealed record SubjectRequest(Guid Id, string Type, string Status, string Source, string? HandledBy, List<string> Emails, string? Phone, Guid? ContactId,
    string? Instruction, bool Billable, DateTimeOffset ReceivedAt, DateOnly FirstDueOn, DateOnly DueOn, string DueState,
    DateTimeOffset? ExtendedAt, string? ExtensionReason, string? DeclineReason, string? DeclineNotice, bool IdentitiesVerified,
    DateTimeOffset? ClosedAt, JsonElement? Certificate, JsonElement? Changes, List<RequestStep> Steps);

/// <summary>A request a subject made to the client: type access, erasure, rectification, …; identified by emails, a phone or a contact.</summary>
public sealed class RequestInput
{
    public required string Type { get; init; }
    public List<string>? Emails { get; init; }
    public string? Phone { get; init; }
    public Guid? ContactId { get; init; }
    public DateTimeOffset? ReceivedAt { get; init; }
}

/// <summary>A file Steward returned: the client's data export.</summary>
public sealed record ExportFile(string? Name, string ContentType, byte[] Content);
