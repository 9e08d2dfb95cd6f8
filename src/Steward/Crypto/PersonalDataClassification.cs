using Microsoft.Extensions.Compliance.Classification;

namespace Steward.Crypto;

/// <summary>The data classes Steward's logs know. A log parameter marked personal is erased before any sink sees it.</summary>
public static class StewardTaxonomy
{
    public static DataClassification PersonalData { get; } = new("Steward", "PersonalData");
}

/// <summary>Marks a [LoggerMessage] parameter that holds personal data (an IP address, say): logged only as redacted.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PersonalDataClassificationAttribute() : DataClassificationAttribute(StewardTaxonomy.PersonalData);
