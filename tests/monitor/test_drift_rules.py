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
