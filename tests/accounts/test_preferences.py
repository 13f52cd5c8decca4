"""A person's language and time zone (accounts/preferences.py): which names are accepted,
which zones the profile offers, which zone wins, and what the session keeps."""

from __future__ import annotations

import zoneinfo

import pytest
from django.test import override_settings

from accounts.preferences import (
    SESSION_LANGUAGE,
    SESSION_TIME_ZONE,
    known_zones,
    remember,
    selectable_zones,
    valid_language,
    valid_zone,
    zone_for,
)

LEGACY = ("Etc/", "SystemV/", "US/", "posix/", "right/", "Canada/", "Brazil/", "Chile/")


def test_known_zones_are_the_machines_iana_zones():
    assert known_zones() == frozenset(zoneinfo.available_timezones())
    assert {"UTC", "Asia/Shanghai", "US/Pacific"} <= known_zones()


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        (None, ""),
        ("", ""),
        ("   ", ""),
        ("Asia/Shanghai", "Asia/Shanghai"),
        ("  Asia/Shanghai\n", "Asia/Shanghai"),
        ("UTC", "UTC"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        # Legacy aliases still come from browsers' cookies: accepted as they are.
        ("US/Pacific", "US/Pacific"),
        ("EST5EDT", "EST5EDT"),
        ("Cuba", "Cuba"),
        # Unknown names, wrong case, and a local path are not zones.
        ("Mars/Olympus_Mons", ""),
        ("asia/shanghai", ""),
        ("Asia/Shanghai/", ""),
        ("../etc/passwd", ""),
    ],
)
def test_valid_zone(name, valid):
    assert valid_zone(name) == valid


def test_selectable_zones_start_with_utc_then_sorted_area_city_names():
    zones = selectable_zones()
    assert zones[0] == "UTC"
    assert zones.count("UTC") == 1
    assert list(zones[1:]) == sorted(zones[1:])
    assert all("/" in zone for zone in zones[1:])
    assert not [zone for zone in zones if zone.startswith(LEGACY)]
    assert set(zones) <= known_zones()


def test_selectable_zones_are_every_canonical_area_city_name():
    expected = sorted(zone for zone in known_zones() if "/" in zone and not zone.startswith(LEGACY))
    assert selectable_zones() == ("UTC", *expected)


@pytest.mark.parametrize(
    ("zone", "offered"),
    [
        ("Asia/Shanghai", True),
        ("Europe/London", True),
        ("America/Argentina/Buenos_Aires", True),
        ("America/St_Johns", True),
        ("UTC", True),
        ("Etc/UTC", False),
        ("Etc/GMT+5", False),
        ("US/Pacific", False),
        ("Canada/Eastern", False),
        ("Brazil/East", False),
        ("Chile/Continental", False),
        ("EST5EDT", False),
        ("Cuba", False),
        ("GMT", False),
    ],
)
def test_selectable_zones_offer_canonical_names_only(zone, offered):
    assert (zone in selectable_zones()) is offered


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        (None, ""),
        ("", ""),
        ("  ", ""),
        ("en", "en"),
        ("EN", "en"),
        (" zh-hans ", "zh-hans"),
        ("zh-Hans", "zh-hans"),
        ("ZH-HANS", "zh-hans"),
        ("zh", ""),
        ("zh-hant", ""),
        ("fr", ""),
        ("English", ""),
    ],
)
def test_valid_language(code, valid):
    assert valid_language(code) == valid


@override_settings(TIME_ZONE="America/Sao_Paulo")
@pytest.mark.parametrize(
    ("saved", "browser", "zone"),
    [
        # The saved zone wins over the browser's.
        ("Asia/Shanghai", "Europe/Berlin", "Asia/Shanghai"),
        (" Asia/Shanghai ", "Europe/Berlin", "Asia/Shanghai"),
        # No saved zone, or an invalid one: the browser's.
        (None, "Europe/Berlin", "Europe/Berlin"),
        ("", "Europe/Berlin", "Europe/Berlin"),
        ("Nowhere/City", " Europe/Berlin ", "Europe/Berlin"),
        ("US/Pacific", "Europe/Berlin", "US/Pacific"),
        # Neither valid: the server's.
        (None, None, "America/Sao_Paulo"),
        ("", "", "America/Sao_Paulo"),
        ("Nowhere/City", "Mars/Base", "America/Sao_Paulo"),
        ("Asia/Shanghai", None, "Asia/Shanghai"),
        ("Asia/Shanghai", "Mars/Base", "Asia/Shanghai"),
    ],
)
def test_zone_for(saved, browser, zone):
    assert zone_for(saved, browser) == zone


def test_zone_for_defaults_to_the_configured_zone():
    with override_settings(TIME_ZONE="Asia/Tokyo"):
        assert zone_for(None, "bogus") == "Asia/Tokyo"
    with override_settings(TIME_ZONE="UTC"):
        assert zone_for(None, "bogus") == "UTC"


@pytest.mark.parametrize(
    ("before", "language", "time_zone", "after"),
    [
        ({}, "zh-hans", "Asia/Shanghai", {"lang": "zh-hans", "zone": "Asia/Shanghai"}),
        (
            {"lang": "en", "zone": "UTC", "other": 1},
            "zh-hans",
            "Asia/Shanghai",
            {"lang": "zh-hans", "zone": "Asia/Shanghai", "other": 1},
        ),
        # Empty: the key goes, so the browser decides (whether or not it was there).
        ({"lang": "en", "zone": "UTC", "other": 1}, "", "", {"other": 1}),
        ({}, "", "", {}),
        ({"lang": "en"}, "", "Asia/Shanghai", {"zone": "Asia/Shanghai"}),
        ({"zone": "UTC"}, "en", "", {"lang": "en"}),
        ({}, "en", "", {"lang": "en"}),
        ({}, "", "UTC", {"zone": "UTC"}),
    ],
)
def test_remember(before, language, time_zone, after):
    keys = {"lang": SESSION_LANGUAGE, "zone": SESSION_TIME_ZONE, "other": "other"}
    session = {keys[k]: v for k, v in before.items()}
    assert remember(session, language=language, time_zone=time_zone) is None
    assert session == {keys[k]: v for k, v in after.items()}


def test_session_keys():
    assert (SESSION_LANGUAGE, SESSION_TIME_ZONE) == ("accounts.language", "accounts.time_zone")
