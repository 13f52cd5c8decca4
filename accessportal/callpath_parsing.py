"""A call path copied from the console → the deployment fields it was derived from.

The inverse of ``callpaths.py``, as a pure function. The rule that keeps it honest: the
fields found must derive the pasted path again (``callpaths.call_url``) with the
workspace's endpoint and project ID. When they cannot — a gateway prefix in front of a
cloud path, another project, another endpoint — the pasted path is kept whole as the
version's call-path override (the console is authoritative) and ``problems`` says why.

Which mode a path belongs to:

- its base (everything before the inference API URL) is the workspace's inference endpoint,
  or starts with it: cloud;
- plain http to an IP literal (IPv6 in brackets) with a path prefix: edge, load balancing
  (the prefix is the API URL); without a prefix: edge, node — unless the form already says
  load balancing, since an ELB without an API URL derives the very same path;
- anything else: cloud on another endpoint, kept as the override.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from accessportal.callpaths import CLOUD, EDGE_LB, EDGE_NODE, V1, V2, CallTarget, call_url

_V1_PATH = re.compile(
    r"^(?P<prefix>.*)/v1/(?P<project_id>[^/]+)/deployments/(?P<deployment_id>[^/]+)"
    r"/chat/completions$"
)
_V2_PATH = re.compile(r"^(?P<prefix>.*)/api/v2/chat/completions$")
# The characters validators.normalize_prefix accepts in an ELB API URL.
_PREFIX = re.compile(r"^[A-Za-z0-9._~\-/]+$")
DEFAULT_PORTS = {"http": 80, "https": 443}


class CallPathError(ValueError):
    """The text is not a chat-completions call path; the message says what is wrong.

    Messages never repeat the pasted text: it might carry a password (``user:pw@host``)."""


@dataclass(frozen=True)
class ParsedCallPath:
    """What one call path says: ``target`` holds the fields as found in it (its endpoint
    and project ID too). ``override`` is the path itself when the fields, with the
    workspace's endpoint and project ID, cannot derive it again; ``problems`` say why
    (``prefix``: what no rule explains)."""

    version: str
    target: CallTarget
    override: str = ""
    prefix: str = ""
    problems: tuple[str, ...] = field(default=())

    @property
    def mode(self) -> str:
        return self.target.mode

    def fields(self) -> dict[str, object]:
        """The deployment's own fields this path sets (not the workspace's)."""
        target = self.target
        values: dict[str, object] = {"mode": target.mode}
        if self.version == V1:
            values["deployment_id"] = target.deployment_id
        if target.mode == EDGE_LB:
            values |= {
                "elb_ip": target.elb_ip,
                "elb_port": target.elb_port,
                "api_url": target.api_url,
            }
        if target.mode == EDGE_NODE:
            values |= {"node_ip": target.node_ip, "host_port": target.host_port}
        values[f"{self.version}_path_override"] = self.override
        return values


def _ip(host: str) -> str | None:
    """The host as a normalized IP address, or None for a name (or a scoped IPv6)."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def canonical(url: str) -> str:
    """A URL compared as a client sees it: scheme and host in lower case, IPs normalized,
    the default port written out."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    host = _ip(host) or host
    literal = f"[{host}]" if ":" in host else host
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower(), 0)
    except ValueError:
        port = 0
    return f"{parts.scheme.lower()}://{literal}:{port}{parts.path.rstrip('/')}"


def _split(text: str) -> tuple[str, re.Match, object]:
    """(version, path match, urlsplit parts) or CallPathError."""
    if not text:
        raise CallPathError(_("Paste a call path."))
    if any(ch.isspace() for ch in text):
        raise CallPathError(_("A call path has no spaces or line breaks in it."))
    try:
        parts = urlsplit(text)
        parts.hostname  # noqa: B018 -- parsed lazily: a bad [IPv6] literal raises here
    except ValueError:
        raise CallPathError(
            _("The host of the call path is not valid; an IPv6 address goes in brackets.")
        ) from None
    if "%" in (parts.hostname or ""):
        raise CallPathError(_("A call path cannot name an IPv6 zone (%…) or escaped host."))
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        raise CallPathError(_("A call path starts with http:// or https:// and a host."))
    if parts.username is not None or parts.password is not None:
        raise CallPathError(_("A call path carries no user name or password; leave them out."))
    if parts.query or parts.fragment:
        raise CallPathError(_("A call path has no query (?…) or fragment (#…)."))
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise CallPathError(_("The port of the call path must be a number from 1 to 65535."))
    for version, pattern in ((V1, _V1_PATH), (V2, _V2_PATH)):
        if match := pattern.match(parts.path):
            return version, match, parts
    raise CallPathError(
        _(
            "This is not a chat call path: it ends in /v1/{project ID}/deployments/"
            "{deployment ID}/chat/completions (V1) or /api/v2/chat/completions (V2)."
        )
    )


def parse_call_path(
    text: str, *, inference_endpoint: str = "", project_id: str = "", mode_hint: str = ""
) -> ParsedCallPath:
    """Parse one console call path against the workspace's endpoint and project ID.

    ``mode_hint`` (the mode the form shows) decides only the one ambiguous case: an edge
    path without a prefix is a node unless the hint says load balancing."""
    text = text.strip()
    version, match, parts = _split(text)
    prefix = match["prefix"]
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    ip = _ip(host)
    base = text[: len(text) - len(parts.path)] + prefix  # scheme, host, port, prefix as typed
    endpoint = inference_endpoint.strip().rstrip("/")
    found = CallTarget(
        mode=CLOUD,
        versions=(version,),
        project_id=match.groupdict().get("project_id") or "",
        deployment_id=match.groupdict().get("deployment_id") or "",
    )
    unexplained = ""
    if endpoint and canonical(base) == canonical(endpoint):
        found = replace(found, inference_endpoint=endpoint)
    elif endpoint and canonical(base).startswith(canonical(endpoint) + "/"):
        unexplained = canonical(base)[len(canonical(endpoint)) :]
        found = replace(found, inference_endpoint=endpoint)
    elif ip and scheme == "http":
        port = parts.port or DEFAULT_PORTS["http"]
        api_url = prefix.strip("/")
        if api_url and not _valid_prefix(api_url):
            unexplained, api_url = prefix, ""
        if unexplained or api_url or mode_hint == EDGE_LB:
            found = replace(found, mode=EDGE_LB, elb_ip=ip, elb_port=port, api_url=api_url)
        else:
            found = replace(found, mode=EDGE_NODE, node_ip=ip, host_port=port)
    else:
        found = replace(found, inference_endpoint=base)
    return _settle(version, found, text, unexplained, endpoint=endpoint, project_id=project_id)


def _valid_prefix(api_url: str) -> bool:
    segments = api_url.split("/")
    return bool(_PREFIX.match(api_url)) and not any(s in ("", ".", "..") for s in segments)


def _settle(
    version: str, found: CallTarget, text: str, unexplained: str, *, endpoint: str, project_id: str
) -> ParsedCallPath:
    """Keep the path as the override when the fields (with the workspace's endpoint and
    project) do not derive it again, and say why."""
    problems = []
    if found.project_id and project_id and found.project_id != project_id:
        problems.append(
            _("The project ID in the call path (%(found)s) differs from the workspace's (%(ws)s).")
            % {"found": found.project_id, "ws": project_id}
        )
    if found.mode == CLOUD and canonical(found.inference_endpoint) != canonical(endpoint):
        problems.append(
            _("The endpoint of the call path (%(found)s) differs from the workspace's (%(ws)s).")
            % {"found": found.inference_endpoint, "ws": endpoint or "—"}
        )
    if unexplained:
        problems.append(
            _("The rules cannot explain the gateway prefix %(prefix)s.") % {"prefix": unexplained}
        )
    as_saved = replace(
        found, inference_endpoint=endpoint, project_id=project_id or found.project_id
    )
    override = text if canonical(call_url(as_saved, version)) != canonical(text) else ""
    return ParsedCallPath(version, found, override, unexplained, tuple(problems))


def parse_many(
    text: str, *, inference_endpoint: str = "", project_id: str = "", mode_hint: str = ""
) -> list[ParsedCallPath]:
    """One or two call paths (V1 and V2 of one deployment), separated by white space."""
    paths = text.split()
    if not paths:
        raise CallPathError(_("Paste a call path."))
    parsed = []
    for path in paths:
        one = parse_call_path(
            path,
            inference_endpoint=inference_endpoint,
            project_id=project_id,
            mode_hint=mode_hint or (parsed[0].mode if parsed else ""),
        )
        if any(p.version == one.version for p in parsed):
            raise CallPathError(_("Paste at most one V1 and one V2 call path."))
        parsed.append(one)
    if len(parsed) == 2:
        first, second = (
            {k: v for k, v in p.fields().items() if "override" not in k} for p in parsed
        )
        shared = first.keys() & second.keys()
        if any(first[k] != second[k] for k in shared):
            raise CallPathError(
                _(
                    "The V1 and V2 call paths point at different addresses: "
                    "paste them one at a time."
                )
            )
    return parsed
