"""Plain-language hints for the errors a test call can meet (pure lookup)."""

from __future__ import annotations

HINTS = {
    "APIG.0101": "The API does not exist or is not published: check the call path.",
    "APIG.0201": "The gateway could not reach the service in time, or the body is too large.",
    "APIG.0301": "The IAM token is missing, wrong or expired.",
    "APIG.0302": "The IAM user is not authorized for this API.",
    "APIG.0303": "The key is wrong or missing.",
    "APIG.0304": "This key is not associated with this service: edit the application access.",
    "APIG.0307": "The IAM token must be renewed.",
    "APIG.0308": "Throttled: the request limit was reached; wait a moment and try again.",
    "PANGU.0010": "A parameter is illegal: check the request body.",
    "PANGU.0011": "Authentication failed.",
    "PANGU.0012": "Authentication information is missing.",
    "PANGU.0031": "The service had an internal error; try again later.",
    "PANGU.3254": "The inference service does not exist: check the deployment ID or model name.",
    "PANGU.3259": "The service is not running.",
    "PANGU.3267": "Throttled: the project's request limit was exceeded.",
    "PANGU.3278": "A required parameter is missing from the body.",
    "PANGU.3318": "The question must be 1 to 4096 characters in total.",
    "PANGU.3320": "n can only be 1 or 2 when not streaming.",
    "PANGU.3321": "n can only be 1 when streaming.",
    "PANGU.3342": "The inference service could not be invoked.",
    "portal.decrypt": (
        "The portal's encryption keys do not match the stored value: ask the operator to "
        "check PORTAL_ENCRYPTION_KEYS, or rotate the key."
    ),
    "IAM.401": "The IAM credential was refused: check the user, account and password.",
    "IAM.error": "No IAM token could be obtained with this credential.",
    "upstream.read_timeout": "Timed out: the service did not answer in time.",
    "upstream.deadline": "Timed out: the call took longer than the portal allows.",
    "upstream.connect_timeout": "Timed out while connecting: is the address reachable?",
    "upstream.connect_refused": "Connection refused: nothing listens at the call path's address.",
    "upstream.connect_failed": "The connection could not be opened.",
    "upstream.dns": "The call path's host name does not resolve.",
    "upstream.tls": "The TLS handshake or certificate check failed.",
    "upstream.reset": "The connection was reset before the answer was complete.",
    "upstream.protocol": "The service did not answer in valid HTTP.",
    "upstream.malformed": "The answer is not valid JSON.",
    "upstream.too_large": "The answer is larger than the portal accepts.",
    "upstream.redirect": (
        "The service answered with a redirect. The portal never follows redirects (the key "
        "would go elsewhere): check the call path."
    ),
    "upstream.blocked_address": "The call path points at an address the portal may not call.",
    "upstream.invalid_url": "The call path is not a valid http(s) URL.",
}

BY_STATUS = {
    400: "The service refused the request body.",
    401: "Authentication failed.",
    403: "Not authorized for this service.",
    404: "Not found: check the call path.",
    429: "Throttled: wait a moment and try again.",
}


def hint_for(code: str, status: int | None = None) -> str:
    if code in HINTS:
        return HINTS[code]
    if status in BY_STATUS:
        return BY_STATUS[status]
    if status is not None and status >= 500:
        return "The service failed to answer; try again later."
    return ""
