from __future__ import annotations

import pytest

from accessportal import headers
from accessportal.callpaths import V1, V2


@pytest.mark.parametrize(
    ("version", "mode", "expected"),
    [
        (V1, headers.TOKEN, {"Content-Type": "application/json", "X-Auth-Token": "tok"}),
        (V1, headers.API_KEY, {"Content-Type": "application/json", "X-Apig-AppCode": "tok"}),
        (V2, headers.API_KEY, {"Content-Type": "application/json", "Authorization": "Bearer tok"}),
    ],
)
def test_headers_per_auth_mode(version, mode, expected):
    assert headers.request_headers(version, mode, "tok") == expected


def test_v2_takes_no_token():
    with pytest.raises(ValueError, match="V2 does not accept token"):
        headers.request_headers(V2, headers.TOKEN, "tok")


def test_schemes_follow_the_versions_served():
    assert [(s.version, s.auth_mode) for s in headers.schemes_for((V2,))] == [(V2, headers.API_KEY)]
    assert len(headers.schemes_for((V1, V2))) == 3
