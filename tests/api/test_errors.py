"""The API's shared error helpers (no database)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from api.errors import ApiError, conflict_as_409


def test_a_lost_race_is_a_409_to_retry():
    with pytest.raises(ApiError) as caught, conflict_as_409():
        raise IntegrityError("UNIQUE constraint failed: accessportal_deployment.name")
    error = caught.value
    assert (error.status, error.code) == (409, "conflict")
    assert error.message == "A concurrent change conflicts with this one; try again."
    # the database's text (table and column names) is not passed on
    assert error.__cause__ is None and "UNIQUE" not in error.message


def test_other_errors_and_success_pass_through():
    with conflict_as_409():
        value = 1
    assert value == 1
    with pytest.raises(ValueError, match=r"^other$"), conflict_as_409():
        raise ValueError("other")
