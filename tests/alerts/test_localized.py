"""A notification's words in every language and its times in any zone
(alerts/localized.py): lazy texts worded when read, each language rendered once and
stored, times kept as instants until a reader's zone writes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext_lazy, ngettext_lazy

from alerts.localized import (
    TIME_KEY,
    is_text,
    lazy_format,
    render_all,
    stored_value,
    text_in,
    value_text,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
INSTANT = datetime(2027, 3, 1, 4, 30, tzinfo=UTC)  # 12:30 in Shanghai
INSTANT_ISO = "2027-03-01T04:30:00+00:00"


# --- lazy_format


def test_lazy_format_is_worded_in_the_language_active_when_read():
    text = lazy_format(gettext_lazy("Key %(hint)s"), {"hint": "sk-…7f"})
    with translation.override("zh-hans"):
        assert str(text) == "密钥 sk-…7f"
    with translation.override("en"):
        assert str(text) == "Key sk-…7f"
    with translation.override("zh-hans"):
        assert str(text) == "密钥 sk-…7f"


def test_lazy_format_words_lazy_parameters_in_the_same_language():
    nested = lazy_format(
        gettext_lazy("Key %(hint)s"), {"hint": lazy_format(gettext_lazy("Item %(n)s"), {"n": 3})}
    )
    with translation.override("zh-hans"):
        assert str(nested) == "密钥 第 3 项"
    with translation.override("en"):
        assert str(nested) == "Key Item 3"


def test_lazy_format_keeps_plain_parameters_as_they_are():
    # A number stays a number (a %d would not take its text), a string stays a string.
    text = lazy_format(
        "%(count)d of %(total)05.1f %(name)s %(flag)r",
        {
            "count": 3,
            "total": 7.25,
            "name": "alpha",
            "flag": None,
        },
    )
    assert str(text) == "3 of 007.2 alpha None"


def test_lazy_format_gives_a_lazy_parameter_as_its_plain_text_to_every_conversion():
    # %r of a lazy text quotes its words, as for a plain string (not the proxy object).
    text = lazy_format("%(a)r / %(a)s / %(a).2s", {"a": gettext_lazy("Name")})
    with translation.override("en"):
        assert str(text) == "'Name' / Name / Na"
    with translation.override("zh-hans"):
        assert str(text) == "'名称' / 名称 / 名称"


def test_lazy_format_of_a_plural_and_a_lazy_parameter():
    apples = ngettext_lazy("%(n)s apple", "%(n)s apples", "n")
    text = lazy_format(
        "%(what)s, %(who)s", {"what": apples % {"n": 2}, "who": gettext_lazy("Name")}
    )
    with translation.override("en"):
        assert str(text) == "2 apples, Name"
    with translation.override("zh-hans"):
        assert str(text) == "2 apples, 名称"


def test_a_lazy_format_is_text():
    assert is_text(lazy_format("%(a)s", {"a": 1}))


# --- is_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("", True),
        ("plain", True),
        (gettext_lazy("Name"), True),
        (ngettext_lazy("%(n)s item", "%(n)s items", "n"), True),
        (None, False),
        (0, False),
        (3.5, False),
        (b"bytes", False),
        (INSTANT, False),
        ({"at": INSTANT_ISO}, False),
        (["Name"], False),
    ],
)
def test_is_text(value, text):
    assert is_text(value) is text


# --- stored_value


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (INSTANT, {"at": INSTANT_ISO}),
        (datetime(2027, 3, 1, 12, 30, tzinfo=SHANGHAI), {"at": INSTANT_ISO}),
        (
            datetime(2027, 2, 28, 20, 30, 15, 250, tzinfo=timezone(timedelta(hours=-8))),
            {"at": "2027-03-01T04:30:15.000250+00:00"},
        ),
        ("sk-…7f", "sk-…7f"),
        (42, "42"),
        (None, "None"),
        (1.5, "1.5"),
        (gettext_lazy("Name"), "Name"),
    ],
)
def test_stored_value(value, stored):
    # The server's own zone plays no part: a time is stored as the UTC instant.
    with override_settings(TIME_ZONE="Asia/Kolkata"), translation.override("en"):
        assert stored_value(value) == stored
    assert TIME_KEY == "at"


def test_stored_value_words_a_lazy_text_in_the_active_language():
    with translation.override("zh-hans"):
        assert stored_value(gettext_lazy("Name")) == "名称"


# --- render_all


def test_render_all_renders_every_language():
    facts = {
        gettext_lazy("Name"): "gpt-proxy",
        gettext_lazy("Expires"): INSTANT,
        gettext_lazy("Workspace"): lazy_format(gettext_lazy("Item %(n)s"), {"n": 7}),
        "count": 3,
    }
    subject = lazy_format(gettext_lazy("Key %(hint)s"), {"hint": "sk-…7f"})
    with override_settings(TIME_ZONE="Asia/Kolkata"):
        texts = render_all(subject, facts)
    assert texts == {
        "en": {
            "subject": "Key sk-…7f",
            "facts": [
                ["Name", "gpt-proxy"],
                ["Expires", {"at": INSTANT_ISO}],
                ["Workspace", "Item 7"],
                ["count", "3"],
            ],
        },
        "zh-hans": {
            "subject": "密钥 sk-…7f",
            "facts": [
                ["名称", "gpt-proxy"],
                ["过期时间", {"at": INSTANT_ISO}],
                ["工作空间", "第 7 项"],
                ["count", "3"],
            ],
        },
    }


def test_render_all_leaves_the_active_language_as_it_was():
    with translation.override("zh-hans"):
        render_all("s", {})
        assert translation.get_language() == "zh-hans"


@override_settings(LANGUAGES=[("en", "English"), ("zh-hans", "简体中文"), ("de", "Deutsch")])
def test_render_all_follows_the_configured_languages():
    texts = render_all(gettext_lazy("Name"), {})
    assert list(texts) == ["en", "zh-hans", "de"]
    assert texts["zh-hans"] == {"subject": "名称", "facts": []}
    assert texts["de"]["facts"] == []


@pytest.mark.parametrize(
    ("subject", "stored"),
    [
        ("a" * 299, "a" * 299),
        ("a" * 300, "a" * 300),
        ("a" * 301, "a" * 300),
        ("b" * 250 + "c" * 200, "b" * 250 + "c" * 50),
        ("", ""),
    ],
)
def test_render_all_caps_the_subject_at_300_characters(subject, stored):
    texts = render_all(subject, {})
    assert {code: text["subject"] for code, text in texts.items()} == {
        "en": stored,
        "zh-hans": stored,
    }


def test_render_all_keeps_the_facts_in_order():
    labels = [f"label {i}" for i in (5, 1, 4, 2, 3)]
    texts = render_all("s", {label: i for i, label in enumerate(labels)})
    assert texts["en"]["facts"] == [[label, str(i)] for i, label in enumerate(labels)]


# --- value_text


@pytest.mark.parametrize(
    ("value", "zone", "text"),
    [
        ({"at": INSTANT_ISO}, SHANGHAI, "2027-03-01 12:30 UTC+08:00 (Asia/Shanghai)"),
        ({"at": INSTANT_ISO}, UTC, "2027-03-01 04:30 UTC"),
        ({"at": INSTANT_ISO}, ZoneInfo("UTC"), "2027-03-01 04:30 UTC"),
        (
            {"at": "2027-03-01T04:30:00+00:00"},
            ZoneInfo("America/St_Johns"),
            "2027-03-01 01:00 UTC-03:30 (America/St_Johns)",
        ),
        ({"at": "2027-03-01T12:30:00+08:00"}, UTC, "2027-03-01 04:30 UTC"),
        # Anything else is written as it is, whatever the zone.
        ("late", SHANGHAI, "late"),
        ("at", SHANGHAI, "at"),
        ("gpt-proxy", SHANGHAI, "gpt-proxy"),
        (3, SHANGHAI, "3"),
        (None, SHANGHAI, "None"),
        ({"when": INSTANT_ISO}, SHANGHAI, "{'when': '2027-03-01T04:30:00+00:00'}"),
        ({}, SHANGHAI, "{}"),
        (["at"], SHANGHAI, "['at']"),
    ],
)
def test_value_text(value, zone, text):
    with override_settings(TIME_ZONE="Asia/Kolkata"):
        assert value_text(value, zone) == text


def test_value_text_of_a_stored_time_round_trips():
    stored = render_all("s", {"When": INSTANT})["en"]["facts"][0][1]
    assert value_text(stored, SHANGHAI) == "2027-03-01 12:30 UTC+08:00 (Asia/Shanghai)"


# --- text_in

EN = {"subject": "en"}
ZH = {"subject": "zh"}
ZH_HANS = {"subject": "zh-hans"}
ZH_HANT = {"subject": "zh-hant"}


@pytest.mark.parametrize(
    ("texts", "language", "found"),
    [
        # The exact language first.
        ({"en": EN, "zh-hans": ZH_HANS}, "zh-hans", ZH_HANS),
        ({"en": EN, "zh-hans": ZH_HANS}, "en", EN),
        ({"en": EN, "zh": ZH, "zh-hant": ZH_HANT}, "zh-hant", ZH_HANT),
        # Then its base language: "zh" for "zh-hant" (the part before the first "-").
        ({"en": EN, "zh": ZH, "zh-hans": ZH_HANS}, "zh-hant", ZH),
        ({"en": EN, "zh": ZH}, "zh-hant-tw", ZH),
        # Then the default language (LANGUAGE_CODE).
        ({"en": EN, "zh-hans": ZH_HANS}, "zh-hant", EN),
        ({"en": EN, "zh-hans": ZH_HANS}, "zh", EN),
        ({"en": EN, "zh-hans": ZH_HANS}, "fr", EN),
        ({"en": EN}, "", EN),
        # Nothing that fits: None.
        ({"zh-hans": ZH_HANS}, "fr", None),
        ({"zh-hans": ZH_HANS}, "zh-hant", None),
        ({"zh-hant": ZH_HANT}, "zh", None),
        ({}, "en", None),
        ({}, "zh-hans", None),
    ],
)
def test_text_in(texts, language, found):
    assert text_in(texts, language) == found


def test_text_in_falls_back_to_the_configured_default():
    texts = {"en": EN, "zh-hans": ZH_HANS}
    with override_settings(LANGUAGE_CODE="zh-hans"):
        assert text_in(texts, "fr") == ZH_HANS
        assert text_in(texts, "en") == EN
    with override_settings(LANGUAGE_CODE="de"):
        assert text_in(texts, "fr") is None
