"""Drift classification, as a table (pure functions)."""

from __future__ import annotations

import pytest

from monitor.drift import CatalogView, classify, drift_key

CATALOG = CatalogView()


@pytest.mark.parametrize(
    ("code", "status", "catalog", "kinds"),
    [
        ("PANGU.3259", 400, CATALOG, ("not_running",)),
        ("PANGU.3259", 400, CatalogView(running=False), ()),
        ("APIG.0303", 401, CATALOG, ("key_refused",)),
        ("APIG.0303", 401, CatalogView(access_enabled=False), ()),
        ("APIG.0303", 401, CatalogView(via_access=False), ()),
        ("APIG.0304", 403, CATALOG, ("not_bound",)),
        ("APIG.0304", 403, CatalogView(access_covers=False), ()),
        ("APIG.0101", 404, CATALOG, ("version_missing",)),
        ("APIG.0101", 400, CATALOG, ("version_missing",)),  # the code alone tells
        ("PANGU.3254", 404, CATALOG, ("version_missing",)),
        ("APIG.0101", 404, CatalogView(version_served=False), ()),
        ("", 200, CATALOG, ()),
        ("APIG.0201", 502, CATALOG, ()),
        ("APIG.0308", 429, CATALOG, ()),
        ("upstream.connect_refused", None, CATALOG, ()),
    ],
)
def test_classify(code, status, catalog, kinds):
    assert classify(code, status, catalog) == kinds


def test_one_flag_per_finding():
    # A stopped deployment is one flag whichever key or version saw it...
    assert drift_key("not_running", 7, 1, "v1") == drift_key("not_running", 7, 2, "v2")
    # ...a missing version one per version, a refused key one per key and deployment.
    assert drift_key("version_missing", 7, 1, "v1") != drift_key("version_missing", 7, 1, "v2")
    assert drift_key("version_missing", 7, 1, "v2") == drift_key("version_missing", 7, 2, "v2")
    assert drift_key("key_refused", 7, 1, "v1") == drift_key("key_refused", 7, 1, "v2")
    assert drift_key("key_refused", 7, 1, "v1") != drift_key("key_refused", 7, 2, "v1")


@pytest.mark.parametrize(
    ("kind", "access_id", "version", "key"),
    [
        ("not_running", 3, "v1", "not_running:7::"),
        ("version_missing", 3, "v2", "version_missing:7::v2"),
        ("key_refused", 3, "v1", "key_refused:7:3:"),
        ("not_bound", 3, "v1", "not_bound:7:3:"),
        ("key_refused", None, "v1", "key_refused:7::"),
    ],
)
def test_drift_keys_stay_as_stored(kind, access_id, version, key):
    # Open drifts are stored under this key: a new format after an upgrade would open a
    # second flag beside every one already open.
    assert drift_key(kind, 7, access_id, version) == key
