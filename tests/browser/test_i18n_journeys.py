"""The portal in Simplified Chinese in a real browser: the layout holds with Chinese text at
a desktop's and a phone's width, the scripts speak Chinese, the language switch works and
the choice outlives the sign-out, and times follow the browser's zone."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.test_accessibility import BLOCKING, PHONE, axe_violations, describe
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CHINESE = {"locale": "zh-CN"}


def sign_in_chinese(page, username: str = "demo"):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="我的空间")).to_be_visible()


@pytest.fixture(scope="module", autouse=True)
def _chinese_font() -> None:
    """Without a Chinese font Chromium draws boxes of another width: the layout would not
    be tested with real Chinese text."""
    fc_list = shutil.which("fc-list")
    found = fc_list and subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True)
    if not (found and found.stdout.strip()):
        pytest.fail(
            "No Chinese font: run `bash tests/install-tools.sh` as root "
            "(apt-get install -y fonts-wqy-microhei).",
            pytrace=False,
        )


def sideways_overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_main_pages_in_chinese_hold_their_layout(new_context, main_pages, shot, viewport):
    page = new_context(viewport=viewport, **CHINESE).new_page()
    sign_in_chinese(page)
    for name, path in main_pages:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        assert sideways_overflow(page) <= 1, f"{name} scrolls sideways at {viewport['width']} px"
        shot(page, f"-{name}")
    nav = page.get_by_role("navigation", name="工作空间")
    if viewport == DESKTOP:
        expect(nav.get_by_role("link", name="模型部署")).to_be_visible()
        expect(nav.get_by_role("link", name="应用接入")).to_be_visible()


def test_the_playground_script_speaks_chinese(new_context, portal, shot):
    page = new_context(**CHINESE).new_page()
    sign_in_chinese(page)
    chat = portal.deployment("Pangu NLP chat")
    page.goto(portal.ws(f"playground/?deployment={chat.code}"))
    groups = page.locator("#pg-auth optgroup")
    expect(groups.last).to_have_attribute("label", "IAM Token\uff08V1\uff09")  # full-width ()
    page.get_by_role("button", name="添加消息").click()
    expect(page.get_by_label("第 2 条消息的角色")).to_be_visible()
    page.get_by_role("button", name="移除第 2 条消息").click()
    page.get_by_role("button", name="发送").click()
    expect(page.locator("#pg-status")).to_have_text("200")
    expect(page.locator("#pg-usage")).to_contain_text("输入")
    expect(page.locator("#announcer")).to_contain_text("已收到回复")
    shot(page, "-reply")
    violations = [
        v for v in axe_violations_csp_free(new_context, page.url) if v["impact"] in BLOCKING
    ]
    assert not violations, "\n".join(describe("playground (zh)", v) for v in violations)


def axe_violations_csp_free(new_context, url: str) -> list[dict]:
    page = new_context(bypass_csp=True, **CHINESE).new_page()
    sign_in_chinese(page)
    page.goto(url)
    return axe_violations(page)


def test_the_switch_changes_the_language_and_it_outlives_the_sign_out(new_context, portal, shot):
    page = new_context(locale="en-US").new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("demo-member")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My Spaces")).to_be_visible()
    page.goto(portal.ws("access/"))

    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", name="应用接入", level=1)).to_be_visible()
    assert page.url.endswith("/access/")  # back on the same page
    shot(page, "-switched")

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    shot(page, "-signed-out")

    # Another browser, English, never switched: the saved choice applies at sign-in.
    other = new_context(locale="en-US").new_page()
    other.goto("/accounts/login/")
    expect(other.get_by_role("heading", name="Sign in")).to_be_visible()
    other.get_by_label("Username").fill("demo-member")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    expect(other.get_by_role("heading", name="我的空间")).to_be_visible()

    other.get_by_role("button", name="English").click()
    expect(other.get_by_role("heading", name="My Spaces")).to_be_visible()


def test_times_follow_the_browsers_zone_until_one_is_saved(new_context, portal, shot):
    page = new_context(timezone_id="Asia/Shanghai", **CHINESE).new_page()
    sign_in_chinese(page)  # the first page sets the zone cookie from the browser
    page.goto(portal.ws("access/"))
    expect(page.locator("time .tz").first).to_have_text("UTC+08:00 (Asia/Shanghai)")

    page.goto("/profile/")
    page.get_by_role("combobox", name="时区").select_option("America/New_York")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存您的个人设置。")).to_be_visible()
    page.goto(portal.ws("access/"))
    expect(page.locator("time .tz").first).to_contain_text("America/New_York")
    shot(page, "-saved-zone")
