"""Plain-language hints for the errors a test call can meet (pure lookup).

The hint is the headline a person reads first; the code follows it.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

HINTS = {
    "APIG.0101": _("The API does not exist or is not published: check the call path."),
    "APIG.0201": _("The gateway could not pass the call on to the service."),
    "APIG.0301": _("The IAM token is missing, wrong or expired."),
    "APIG.0302": _("The IAM user is not authorized for this API."),
    "APIG.0303": _("The key is wrong or missing."),
    "APIG.0304": _("This key is not associated with this service: edit the application access."),
    "APIG.0307": _("The IAM token must be renewed."),
    "APIG.0308": _("Throttled: the request limit was reached; wait a moment and try again."),
    "PANGU.0010": _("A parameter is illegal: check the request body."),
    "PANGU.0011": _("Authentication failed."),
    "PANGU.0012": _("Authentication information is missing."),
    "PANGU.0031": _("The service had an internal error; try again later."),
    "PANGU.3254": _("The inference service does not exist: check the deployment ID or model name."),
    "PANGU.3259": _("The service is not running."),
    "PANGU.3267": _("Throttled: the project's request limit was exceeded."),
    "PANGU.3278": _("A required parameter is missing from the body."),
    "PANGU.3318": _("The question must be 1 to 4096 characters in total."),
    "PANGU.3320": _("n can only be 1 or 2 when not streaming."),
    "PANGU.3321": _("n can only be 1 when streaming."),
    "PANGU.3342": _("The inference service could not be invoked."),
    "portal.decrypt": _(
        "The portal's encryption keys do not match the stored value: ask the operator to "
        "check PORTAL_ENCRYPTION_KEYS, or rotate the key."
    ),
    "IAM.401": _("The IAM credential was refused: check the user, account and password."),
    "IAM.error": _("No IAM token could be obtained with this credential."),
    "upstream.read_timeout": _("Timed out: the service did not answer in time."),
    "upstream.deadline": _("Timed out: the call took longer than the portal allows."),
    "upstream.connect_timeout": _("Timed out while connecting: is the address reachable?"),
    "upstream.connect_refused": _(
        "Connection refused: nothing listens at the call path's address."
    ),
    "upstream.connect_failed": _("The connection could not be opened."),
    "upstream.dns": _("The call path's host name does not resolve."),
    "upstream.tls": _("The TLS handshake or certificate check failed."),
    "upstream.reset": _("The connection was reset before the answer was complete."),
    "upstream.protocol": _("The service did not answer in valid HTTP."),
    "upstream.malformed": _("The answer is not valid JSON."),
    "upstream.too_large": _("The answer is larger than the portal accepts."),
    "upstream.redirect": _(
        "The service answered with a redirect. The portal never follows redirects (the key "
        "would go elsewhere): check the call path."
    ),
    "upstream.blocked_address": _("The call path points at an address the portal may not call."),
    "upstream.invalid_url": _("The call path is not a valid http(s) URL."),
}

# One code, several meanings: the platform's gateway tells them apart by HTTP status.
BY_CODE_AND_STATUS = {
    ("APIG.0201", 413): _("The request body is too large for the gateway: shorten the messages."),
    ("APIG.0201", 502): _("The backend is unavailable: the gateway could not reach the service."),
    ("APIG.0201", 504): _("The backend timed out: the service did not answer the gateway in time."),
}

BY_STATUS = {
    400: _("The service refused the request body."),
    401: _("Authentication failed."),
    403: _("Not authorized for this service."),
    404: _("Not found: check the call path."),
    429: _("Throttled: wait a moment and try again."),
}


def hint_for(code: str, status: int | None = None) -> str:
    """The hint in the active language (a plain str: it goes into JSON events)."""
    if (code, status) in BY_CODE_AND_STATUS:
        return str(BY_CODE_AND_STATUS[code, status])
    if code in HINTS:
        return str(HINTS[code])
    if status in BY_STATUS:
        return str(BY_STATUS[status])
    if status is not None and status >= 500:
        return str(_("The service failed to answer; try again later."))
    return ""


# Parameters of an upstream error that are texts themselves (accessportal.addresses).
_TEXT_PARAMS = frozenset({"category"})


def upstream_message(error) -> str:
    """An ``UpstreamError``'s message in the active language: the outbound client stays
    free of Django and marks its texts with ``gettext_noop``; its ``kind`` stays the code."""
    params = {
        key: gettext(value) if key in _TEXT_PARAMS else value for key, value in error.params.items()
    }
    return gettext(error.template) % params if params else gettext(error.template)
