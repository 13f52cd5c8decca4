"""One error shape for every API answer that is not a success:
``{"error": {"code": "not_found", "message": "…", "details": {field: [messages]}}}``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError


class ErrorBody(Schema):
    code: str
    message: str
    details: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorBody


class ApiError(Exception):
    """Raised anywhere below an endpoint; answered as the one error shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details = details or {}
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("No such object, or not yours to see."))


@contextmanager
def conflict_as_409() -> Iterator[None]:
    """A save that loses a race to a concurrent change (a unique constraint the form's
    checks passed) is answered 409, to be tried again, not 500."""
    try:
        yield
    except IntegrityError:
        raise ApiError(
            409, "conflict", _("A concurrent change conflicts with this one; try again.")
        ) from None


def form_error(form) -> ApiError:
    details = {
        field or "__all__": [str(m) for m in messages] for field, messages in form.errors.items()
    }
    return ApiError(422, "invalid", _("The request has invalid fields."), details=details)


# Every operation may answer these; declared so the schema tells the truth.
ERRORS = {status: ErrorOut for status in (401, 403, 404, 422, 429)}
# And those that send a body: unreadable JSON (400), a concurrent conflicting change (409).
WRITE_ERRORS = {status: ErrorOut for status in (400, 409)}


def _field_of(location: tuple) -> str:
    # Pydantic locations look like ("body", "payload", "name") or ("query", "limit").
    parts = [str(p) for p in location if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "__all__"


def install(api: NinjaAPI) -> None:
    def answer(request: HttpRequest, error: ApiError) -> HttpResponse:
        body = {"code": error.code, "message": error.message, "details": error.details}
        response = api.create_response(request, {"error": body}, status=error.status)
        for name, value in error.headers.items():
            response[name] = value
        return response

    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details: dict[str, list[str]] = {}
        for problem in exc.errors:
            details.setdefault(_field_of(tuple(problem.get("loc", ()))), []).append(
                str(problem.get("msg", ""))
            )
        return answer(
            request, ApiError(422, "invalid", _("The request has invalid fields."), details=details)
        )

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {400: "bad_request", 405: "method_not_allowed", 413: "too_large"}
        return answer(
            request, ApiError(exc.status_code, codes.get(exc.status_code, "error"), str(exc))
        )

    api.add_exception_handler(ApiError, answer)
    api.add_exception_handler(ValidationError, invalid)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(
        AuthenticationError,
        lambda request, exc: answer(
            request,
            ApiError(
                401,
                "unauthenticated",
                _("Send a valid, unexpired API token: Authorization: Bearer apat_…"),
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            ),
        ),
    )
    api.add_exception_handler(Http404, lambda request, exc: answer(request, not_found()))
    api.add_exception_handler(
        PermissionDenied,
        lambda request, exc: answer(
            request, ApiError(403, "forbidden", str(exc) or _("Not allowed."))
        ),
    )
