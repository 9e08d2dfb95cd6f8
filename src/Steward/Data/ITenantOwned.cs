namespace Steward.Data;

/// <summary>A row that belongs to one client. <see cref="StewardDb"/> filters every such row by the request's tenant.</summary>
public interface ITenantOwned
{
    Guid ClientId { get; }
}
