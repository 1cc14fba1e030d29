"""The campaign list: each person sees the campaigns that cover them, visit after visit (the
list's SQL is written once per scope), with each campaign's number of applications."""

from __future__ import annotations

from django.urls import reverse

from tests.campaigns.conftest import campaign  # noqa: F401
from tests.factories import person
from wenming.accounts.models import Role


def test_each_person_sees_the_campaigns_that_cover_them_visit_after_visit(
    client,
    world,
    campaign,  # noqa: F811
):
    west_office = person("west_office", Role.OFFICE, region_=world.west)
    for _ in range(2):
        for who, sees in (
            (world.people.east_office, True),
            (world.people.city_office, True),
            (world.people.filler, True),  # a unit of 江东区
            (world.people.other_filler, False),  # a unit of 江西区
            (west_office, False),
            (world.people.admin, True),
        ):
            client.force_login(who)
            page = client.get(reverse("campaigns:list")).content.decode()
            assert (campaign.name in page) is sees, who.username
            expert = client.get(reverse("onsite:mine")).content.decode()
            runs = who in (world.people.east_office, world.people.city_office, world.people.admin)
            assert (campaign.name in expert) is runs, who.username


def test_the_list_counts_each_campaigns_applications(client, world, campaign):  # noqa: F811
    from tests.campaigns.conftest import submitted_assessment
    from wenming.campaigns.services import application_prepare

    client.force_login(world.people.east_office)
    page = client.get(reverse("campaigns:list")).content.decode()
    assert '<td class="num">0</td>' in page
    submitted_assessment(world, campaign.edition)
    application_prepare(actor=world.people.unit_admin, campaign=campaign, unit=world.s1)
    page = client.get(reverse("campaigns:list")).content.decode()
    assert '<td class="num">1</td>' in page
