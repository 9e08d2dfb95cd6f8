namespace Steward.Crypto;

/// <summary>
/// Marks a property that holds personal data (sealed under a subject's key). One marker drives export,
/// erasure checks and the convention test that no personal value sits in a clear column.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PersonalDataAttribute : Attribute;
