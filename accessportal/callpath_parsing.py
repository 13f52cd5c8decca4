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
    """The fields one call path determines. ``override`` is the path itself when the
    fields cannot derive it; ``problems`` say why (``prefix``: what no rule explains)."""

    version: str
    mode: str
    inference_endpoint: str = ""
    project_id: str = ""
    deployment_id: str = ""
    elb_ip: str = ""
    elb_port: int | None = None
    api_url: str = ""
    node_ip: str = ""
    host_port: int | None = None
    override: str = ""
    prefix: str = ""
    problems: tuple[str, ...] = field(default=())

    def fields(self) -> dict[str, object]:
        """The deployment's own fields this path sets (not the workspace's)."""
        values: dict[str, object] = {"mode": self.mode}
        if self.version == V1:
            values["deployment_id"] = self.deployment_id
        if self.mode == EDGE_LB:
            values |= {"elb_ip": self.elb_ip, "elb_port": self.elb_port, "api_url": self.api_url}
        if self.mode == EDGE_NODE:
            values |= {"node_ip": self.node_ip, "host_port": self.host_port}
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
    parts = urlsplit(text)
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
    ids = {
        "project_id": match.groupdict().get("project_id") or "",
        "deployment_id": match.groupdict().get("deployment_id") or "",
    }
    unexplained = ""
    if endpoint and canonical(base) == canonical(endpoint):
        parsed = ParsedCallPath(version, CLOUD, inference_endpoint=endpoint, **ids)
    elif endpoint and canonical(base).startswith(canonical(endpoint) + "/"):
        unexplained = canonical(base)[len(canonical(endpoint)) :]
        parsed = ParsedCallPath(version, CLOUD, inference_endpoint=endpoint, **ids)
    elif ip and scheme == "http":
        port = parts.port or DEFAULT_PORTS["http"]
        api_url = prefix.strip("/")
        if api_url and not _valid_prefix(api_url):
            unexplained, api_url = prefix, ""
        if unexplained or api_url or mode_hint == EDGE_LB:
            parsed = ParsedCallPath(
                version, EDGE_LB, elb_ip=ip, elb_port=port, api_url=api_url, **ids
            )
        else:
            parsed = ParsedCallPath(version, EDGE_NODE, node_ip=ip, host_port=port, **ids)
    else:
        parsed = ParsedCallPath(version, CLOUD, inference_endpoint=base, **ids)
    return _settle(parsed, text, unexplained, endpoint=endpoint, project_id=project_id)


def _valid_prefix(api_url: str) -> bool:
    segments = api_url.split("/")
    return bool(_PREFIX.match(api_url)) and not any(s in ("", ".", "..") for s in segments)


def _settle(
    parsed: ParsedCallPath, text: str, unexplained: str, *, endpoint: str, project_id: str
) -> ParsedCallPath:
    """Keep the path as the override when the fields (with the workspace's endpoint and
    project) do not derive it again, and say why."""
    problems = []
    if parsed.project_id and project_id and parsed.project_id != project_id:
        problems.append(
            _("The project ID in the call path (%(found)s) differs from the workspace's (%(ws)s).")
            % {"found": parsed.project_id, "ws": project_id}
        )
    if parsed.mode == CLOUD and canonical(parsed.inference_endpoint) != canonical(endpoint):
        problems.append(
            _("The endpoint of the call path (%(found)s) differs from the workspace's (%(ws)s).")
            % {"found": parsed.inference_endpoint, "ws": endpoint or "—"}
        )
    if unexplained:
        problems.append(
            _("The rules cannot explain the gateway prefix %(prefix)s.") % {"prefix": unexplained}
        )
    target = CallTarget(
        mode=parsed.mode,
        versions=(parsed.version,),
        inference_endpoint=endpoint,
        project_id=project_id or parsed.project_id,
        deployment_id=parsed.deployment_id,
        elb_ip=parsed.elb_ip,
        elb_port=parsed.elb_port,
        api_url=parsed.api_url,
        node_ip=parsed.node_ip,
        host_port=parsed.host_port,
    )
    override = text if canonical(call_url(target, parsed.version)) != canonical(text) else ""
    return replace(parsed, override=override, prefix=unexplained, problems=tuple(problems))


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
