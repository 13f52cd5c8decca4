"""Every list table is readable on a laptop (1280 px) and on a phone (390 px): no column is
cut off or hidden behind a sideways scroll. On a phone each row becomes a card whose cells
say which column they are. Screenshots of every page at both widths go to test-artifacts/."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from accessportal import audit
from accessportal.models import AuditAction
from chat.models import Outcome, TestCall
from tests import factories

pytestmark = pytest.mark.browser

WIDTHS = {"laptop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

# Cells that stick out of the page or hide in a scrolled frame; cells without a label.
PROBLEMS = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > window.innerWidth) {
    problems.push(`the page is ${document.documentElement.scrollWidth} px wide`);
  }
  document.querySelectorAll('.table-wrap').forEach((wrap, t) => {
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      problems.push(`table ${t + 1} scrolls sideways (${wrap.scrollWidth} > ${wrap.clientWidth})`);
    }
    const headers = [...wrap.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    wrap.querySelectorAll('tbody tr').forEach((row, r) => {
      [...row.children].forEach((cell, c) => {
        const box = cell.getBoundingClientRect();
        const frame = wrap.getBoundingClientRect();
        const where = `table ${t + 1} row ${r + 1} "${headers[c]}"`;
        if (box.width === 0 || box.height === 0) problems.push(`${where} is hidden`);
        if (box.left < frame.left - 1 || box.right > frame.right + 1 || box.right > width + 1) {
          problems.push(`${where} is cut off (${box.left}-${box.right} of ${width})`);
        }
      });
    });
  });
  return problems;
}"""

LABELS = """() => [...document.querySelectorAll('.table-wrap table:not(.headers)')]
  .flatMap((table) => {
    const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    return [...table.querySelectorAll('tbody tr')].flatMap((row) => [...row.children]
      .map((cell, c) => [
        cell.dataset.label || '', headers[c], getComputedStyle(cell, '::before').content,
      ]));
  })"""


@pytest.fixture
def busy_portal(portal):
    """The demo workspace with a history and an audit log to show."""
    workspace = portal.workspace
    chat = portal.deployment("Pangu NLP chat")
    team = portal.access("team-all")
    member = User.objects.get(username="demo-member")
    for i, (outcome, code) in enumerate(
        [(Outcome.OK, ""), (Outcome.ERROR, "upstream.read_timeout"), (Outcome.ABORTED, "")]
    ):
        TestCall.objects.create(
            workspace=workspace,
            deployment=chat,
            deployment_name=chat.name,
            user=member,
            username=member.username,
            api_version="v1",
            auth_mode="api_key",
            access=team,
            auth_label=f"{team.name} ({team.key_hint})",
            stream=bool(i % 2),
            outcome=outcome,
            status_code=200 if outcome == Outcome.OK else None,
            error_code=code,
            latency_ms=1234 + i,
            ttft_ms=210 if i % 2 else None,
            prompt_tokens=20,
            completion_tokens=90,
            total_tokens=110,
        )
    team.last_check = {
        str(d.code): {
            "name": d.name,
            "version": "v1",
            "ok": d == chat,
            "status": None if d == chat else 504,
            "error_code": "" if d == chat else "APIG.0201",
        }
        for d in workspace.deployments.running()[:3]
    }
    team.last_checked_at = timezone.now()
    team.save(update_fields=["last_check", "last_checked_at"])
    factories.make_channel(workspace, name="ops webhook")
    audit.record(
        workspace=workspace,
        actor=member,
        action=AuditAction.ACCESS_CHECK,
        target=team.name,
        summary="9 of 9 running deployments reachable",
        ip="127.0.0.1",
    )
    return portal


@pytest.fixture
def list_pages(busy_portal) -> list[tuple[str, str]]:
    team = busy_portal.access("team-all")
    chat = busy_portal.deployment("Pangu NLP chat")
    return [
        ("deployments", busy_portal.ws("deployments/")),
        ("deployment-detail", busy_portal.ws(f"deployments/{chat.code}/")),
        ("accesses", busy_portal.ws("access/")),
        ("access-detail", busy_portal.ws(f"access/{team.code}/")),
        ("history", busy_portal.ws("playground/history/")),
        ("audit", busy_portal.ws("audit/")),
        ("members", busy_portal.ws("members/")),
        ("credentials", busy_portal.ws("credentials/")),
        ("notification-channels", busy_portal.ws("notifications/")),
    ]


@pytest.mark.parametrize("size", WIDTHS)
def test_every_column_of_every_table_is_readable(new_context, list_pages, signed_in, shot, size):
    page = new_context(viewport=WIDTHS[size]).new_page()
    signed_in(page, "demo")
    problems = []
    for name, path in list_pages:
        page.goto(path)
        problems += [f"{name}: {problem}" for problem in page.evaluate(PROBLEMS)]
        if size == "phone":
            for label, header, shown in page.evaluate(LABELS):
                if label != header or header not in shown:
                    problems.append(f"{name}: a cell of {header!r} is labelled {label!r}")
        shot(page, f"-{size}-{name}")
    assert not problems, "\n".join(problems)


def test_on_a_phone_a_row_reads_as_a_card_of_labelled_values(new_context, busy_portal, signed_in):
    page = new_context(viewport=WIDTHS["phone"]).new_page()
    signed_in(page, "demo")
    page.goto(busy_portal.ws("playground/history/"))
    row = page.locator("tbody tr").first
    for header in ("Status", "Latency", "First token", "Tokens"):
        expect(row.locator(f"td[data-label='{header}']")).to_be_visible()
    expect(row.locator("td[data-label='Tokens']")).to_contain_text("110")
    # The header row is there for screen readers, not drawn a second time.
    assert page.locator("thead").evaluate("el => el.getBoundingClientRect().height") <= 1


def test_rows_a_page_puts_in_later_are_labelled_too(new_context, busy_portal, signed_in):
    """Polled lists (a channel's deliveries) replace their table while the page is open."""
    page = new_context(viewport=WIDTHS["phone"]).new_page()
    signed_in(page, "demo")
    page.goto(busy_portal.ws("playground/history/"))
    page.evaluate(
        """() => {
             const body = document.querySelector('tbody');
             const row = body.rows[0].cloneNode(true);
             row.querySelectorAll('td').forEach((td) => td.removeAttribute('data-label'));
             row.id = 'polled';
             body.replaceChildren(row);
           }"""
    )
    expect(page.locator("#polled td[data-label='Tokens']")).to_contain_text("110")
