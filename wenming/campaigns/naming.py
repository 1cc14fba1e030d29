"""Who names a unit: the naming authority of a campaign."""

from __future__ import annotations

from wenming.campaigns.models import Application, Campaign
from wenming.organizations.models import Region
from wenming.organizations.paths import region_ids


def naming_region(campaign: Campaign, application: Application) -> Region:
    """Who names this unit: the campaign's naming authority for its unit type (e.g. the city
    names junior schools), found among the unit's regions; by default the campaign's region."""
    unit = application.unit
    level = campaign.naming.get(unit.stage) if unit.stage else None
    if level is None:
        level = campaign.naming.get(unit.unit_type.name)
    if level is None:
        return campaign.region
    ids = region_ids(application.unit.region_path)
    found = Region.objects.filter(pk__in=ids, level=level).first()
    return found or campaign.region
