"""The platform's three error body shapes, raised as ApiError.

- API Gateway (in front of the service): {"error_msg", "error_code", "request_id"}
- Pangu service: {"error_code": "PANGU.xxxx", "error_msg"}
- IAM: {"error": {"code", "title", "message"}}
"""

from __future__ import annotations

import secrets
from http import HTTPStatus

from simulator.wire import Response, json_response

# Not-running services answer 400: the service exists (unlike PANGU.3254, 404)
# but refuses the call, and a distinct status lets clients tell the two apart.
NOT_RUNNING_STATUS = 400


class ApiError(Exception):
    """An error answer; the app turns it into its response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def gateway_error(status: int, code: str, message: str) -> ApiError:
    request_id = secrets.token_hex(16)
    body = {"error_msg": message, "error_code": code, "request_id": request_id}
    return ApiError(json_response(status, body, [("X-Request-Id", request_id)]))


def service_error(status: int, code: str, message: str) -> ApiError:
    return ApiError(json_response(status, {"error_code": code, "error_msg": message}))


def iam_error(status: int, message: str) -> ApiError:
    title = HTTPStatus(status).phrase
    return ApiError(
        json_response(status, {"error": {"code": status, "title": title, "message": message}})
    )


def api_not_found() -> ApiError:
    return gateway_error(404, "APIG.0101", "The API does not exist or has not been published.")


def parameter_illegal(message: str) -> ApiError:
    return service_error(400, "PANGU.0010", f"Parameter illegal: {message}")


def parameter_missing(name: str) -> ApiError:
    return service_error(400, "PANGU.3278", f"Required api parameter is not present: {name}")


def service_not_found() -> ApiError:
    return service_error(404, "PANGU.3254", "The requested inference service does not exist.")


def service_not_running(status: str) -> ApiError:
    return service_error(
        NOT_RUNNING_STATUS,
        "PANGU.3259",
        f"The inference service is not running or has been deleted (status: {status}).",
    )
