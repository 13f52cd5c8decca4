"""Every time in the reader's zone, saying which; inputs read in it and stored in UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils.timezone import now as django_now

from accessportal import timefmt
from accessportal.models import ApplicationAccess
from accounts.preferences import BROWSER_ZONE_COOKIE, zone_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
INSTANT = datetime(2030, 1, 2, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "written"),
    [
        ("UTC", "2030-01-02 00:30 UTC"),
        ("Asia/Shanghai", "2030-01-02 08:30 UTC+08:00 (Asia/Shanghai)"),
        ("America/St_Johns", "2030-01-01 21:00 UTC-03:30 (America/St_Johns)"),
        ("Asia/Kathmandu", "2030-01-02 06:15 UTC+05:45 (Asia/Kathmandu)"),
        ("Europe/London", "2030-01-02 00:30 UTC (Europe/London)"),
    ],
)
def test_a_time_says_its_zone(zone, written):
    assert timefmt.absolute(INSTANT, ZoneInfo(zone)) == written


def test_summer_time_moves_the_offset_not_the_instant():
    summer = datetime(2030, 7, 1, 12, 0, tzinfo=UTC)
    assert timefmt.absolute(summer, ZoneInfo("Europe/Berlin")) == (
        "2030-07-01 14:00 UTC+02:00 (Europe/Berlin)"
    )


@pytest.mark.parametrize(
    ("saved", "browser", "zone"),
    [
        ("Asia/Shanghai", "Europe/Paris", "Asia/Shanghai"),
        ("", "Europe/Paris", "Europe/Paris"),
        ("", "Not/AZone", "UTC"),
        (None, None, "UTC"),
        ("../../etc/passwd", "", "UTC"),
    ],
)
def test_the_zone_of_a_request(saved, browser, zone):
    assert zone_for(saved, browser) == zone


def client_in(user, zone: str) -> Client:
    client = Client()
    client.force_login(user)
    assert client.post("/profile/", {"language": "", "time_zone": zone}).status_code == 302
    return client


def access_form(name: str, expires: str) -> dict:
    return {
        "name": name,
        "description": "",
        "scope": "all",
        "api_key": "d59aaaaaaaaaaaaaaaa9C3",
        "expires_at": expires,
    }


def expiring_access(workspace) -> ApplicationAccess:
    access = ApplicationAccess(workspace=workspace, name="k", expires_at=INSTANT)
    access.set_api_key("d59aaaaaaaaaaaaaaaa9C3")
    access.save()
    return access


def test_an_expiry_entered_in_utc8_is_stored_as_utc_and_shown_back_in_utc8(world):
    admin = client_in(world.admin, "Asia/Shanghai")
    response = admin.post(
        f"/w/{world.alpha.code}/access/new/", access_form("k", "2030-01-02T08:30")
    )
    assert response.status_code == 302
    access = ApplicationAccess.objects.get(name="k")
    assert access.expires_at == INSTANT  # 08:30 in Shanghai is 00:30 UTC

    detail = admin.get(response["Location"]).content.decode()
    assert "2030-01-02</span> <span>08:30</span>" in detail
    assert "UTC+08:00 (Asia/Shanghai)" in detail
    assert 'datetime="2030-01-02T00:30:00+00:00"' in detail
    edit = admin.get(f"/w/{world.alpha.code}/access/{access.code}/edit/").content.decode()
    assert 'value="2030-01-02T08:30"' in edit  # the input shows it in the reader's zone
    assert "Asia/Shanghai" in edit  # and says which zone that is

    # Saved again unchanged, the instant stays the same.
    admin.post(
        f"/w/{world.alpha.code}/access/{access.code}/edit/",
        {"name": "k", "description": "", "scope": "all", "expires_at": "2030-01-02T08:30"},
    )
    access.refresh_from_db()
    assert access.expires_at == INSTANT


def test_a_utc_reader_sees_the_same_instant_in_utc(world):
    expiring_access(world.alpha)
    viewer = client_in(world.viewer, "UTC")
    listing = viewer.get(f"/w/{world.alpha.code}/access/").content.decode()
    assert '2030-01-02</span> <span>00:30</span> <span class="tz">UTC</span>' in listing
    shanghai = client_in(world.member, "Asia/Shanghai")
    listing = shanghai.get(f"/w/{world.alpha.code}/access/").content.decode()
    assert "2030-01-02</span> <span>08:30</span>" in listing


def with_browser_zone(world, cookie: str):
    """A viewer whose browser reported ``cookie`` as its zone, and the access page's URL."""
    client = world.client_for(world.viewer)
    client.cookies[BROWSER_ZONE_COOKIE] = cookie
    return client, f"/w/{world.alpha.code}/access/{expiring_access(world.alpha).code}/"


def test_the_browser_zone_is_used_until_one_is_saved(world):
    client, url = with_browser_zone(world, "America/New_York")
    page = client.get(url).content.decode()
    assert "2030-01-01</span> <span>19:30</span>" in page
    assert "UTC-05:00 (America/New_York)" in page
    client.post("/profile/", {"language": "", "time_zone": "Asia/Shanghai"})
    assert "UTC+08:00 (Asia/Shanghai)" in client.get(url).content.decode()


def test_an_unknown_zone_cookie_falls_back_to_the_servers(world):
    client, url = with_browser_zone(world, "<script>")
    page = client.get(url)
    assert page.status_code == 200
    assert '<span class="tz">UTC</span>' in page.content.decode()


def test_the_saved_zone_comes_back_at_the_next_sign_in(world):
    from tests.conftest import PASSWORD

    client_in(world.admin, "Asia/Shanghai")
    other = Client()
    other.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    access = expiring_access(world.alpha)
    page = other.get(f"/w/{world.alpha.code}/access/{access.code}/").content.decode()
    assert "UTC+08:00 (Asia/Shanghai)" in page


def test_a_relative_time_keeps_the_absolute_one_for_hover_focus_and_screen_readers():
    from django.utils import timezone

    from accessportal.templatetags.portal_time import ago

    with timezone.override(SHANGHAI):
        html = ago(INSTANT)
    assert 'datetime="2030-01-02T00:30:00+00:00"' in html
    assert 'title="2030-01-02 08:30 UTC+08:00 (Asia/Shanghai)"' in html
    assert 'tabindex="0"' in html
    assert (
        '<span class="visually-hidden"> (2030-01-02 08:30 UTC+08:00 (Asia/Shanghai))</span>' in html
    )


# The API token pages, the health board and the key check: every time in the reader's zone
# with the pages' zone wording, never Django's bare abbreviation ("CST" for Shanghai, which
# is also US Central and reads as English on Chinese pages).
SHANGHAI_LABEL = "UTC+08:00 (Asia/Shanghai)"
WITH_SECONDS = datetime(2030, 1, 2, 0, 30, 15, tzinfo=UTC)


def shown_in_shanghai(page: str, date: str, clock: str) -> None:
    assert f'{date}</span> <span>{clock}</span> <span class="tz">{SHANGHAI_LABEL}</span>' in page
    # As a word: a random token on the page (the CSRF field's) may hold the letters.
    assert not re.search(r"(?<![A-Za-z0-9])CST(?![A-Za-z0-9])", page)


@pytest.mark.parametrize("language", ["", "zh-hans"])
def test_api_token_times_are_in_the_readers_zone(world, language):
    from tests.api.conftest import issue

    issue(
        world.member,
        name="deploy",
        workspaces=[world.alpha],
        expires_at=INSTANT,
        last_used_at=datetime(2030, 1, 1, 23, 0, tzinfo=UTC),
        last_used_ip="192.0.2.7",
    )
    member = client_in(world.member, "Asia/Shanghai")
    member.post("/profile/", {"language": language, "time_zone": "Asia/Shanghai"})
    listing = member.get("/profile/tokens/").content.decode()
    shown_in_shanghai(listing, "2030-01-02", "08:30")  # expires
    shown_in_shanghai(listing, "2030-01-02", "07:00")  # last used
    admin = client_in(world.admin, "Asia/Shanghai")
    listing = admin.get(f"/w/{world.alpha.code}/tokens/").content.decode()
    shown_in_shanghai(listing, "2030-01-02", "08:30")

    created = member.post("/profile/tokens/", {"name": "new", "lifetime": "30"})
    assert created.status_code == 200
    from api.models import ApiToken

    expires = ApiToken.objects.get(name="new").expires_at.astimezone(SHANGHAI)
    shown_in_shanghai(created.content.decode(), f"{expires:%Y-%m-%d}", f"{expires:%H:%M}")


@pytest.mark.parametrize("language", ["", "zh-hans"])
def test_the_health_board_times_are_in_the_readers_zone(world, language):
    from monitor.charts import entry
    from monitor.models import DeploymentHealth, MonitorProcess
    from tests import factories

    dep = factories.make_deployment(world.alpha)
    DeploymentHealth.objects.create(
        deployment=dep,
        workspace=world.alpha,
        state="down",
        state_since=INSTANT,
        recent=[
            entry(
                at=WITH_SECONDS,
                version="v1",
                outcome="error",
                status=502,
                code="APIG.0201",
                latency=100,
                ttft=90,
            )
        ],
        last_probe_at=WITH_SECONDS,
    )
    seen = django_now()  # the board's "last reported" is when a monitor last reported
    MonitorProcess.objects.create(
        name="h:1:a", host="h", pid=1, last_seen_at=seen, last_pass_at=WITH_SECONDS
    )
    viewer = client_in(world.viewer, "Asia/Shanghai")
    viewer.post("/profile/", {"language": language, "time_zone": "Asia/Shanghai"})
    url = f"/w/{world.alpha.code}/health/"
    page = viewer.get(url).content.decode()
    shown_in_shanghai(page, "2030-01-02", "08:30")  # the row's "since"
    seen = seen.astimezone(SHANGHAI)
    shown_in_shanghai(page, f"{seen:%Y-%m-%d}", f"{seen:%H:%M:%S}")  # to the second
    # The probe strip's cell names the instant and its zone in the same words.
    assert f'aria-label="2030-01-02 08:30:15 {SHANGHAI_LABEL} · V1 · ' in page

    # No monitor has reported since 2020-01-02 08:30 in Shanghai.
    MonitorProcess.objects.update(last_seen_at=datetime(2020, 1, 2, 0, 30, tzinfo=UTC))
    page = viewer.get(url).content.decode()
    assert "monitor-fresh" not in page
    shown_in_shanghai(page, "2020-01-02", "08:30")


def test_a_key_checks_time_is_in_the_readers_zone(world):
    from monitor.models import KeyCheck
    from tests import factories

    access = factories.make_access(world.alpha)
    KeyCheck.objects.create(
        workspace=world.alpha, access=access, requested_by=world.admin, finished_at=WITH_SECONDS
    )
    viewer = client_in(world.viewer, "Asia/Shanghai")
    html = viewer.get(f"/w/{world.alpha.code}/access/{access.code}/check/status/").json()["html"]
    shown_in_shanghai(html, "2030-01-02", "08:30:15")
    assert "admin" in html
