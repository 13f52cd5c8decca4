"""Which language a page is in: the user's saved choice, else the browser's, else English;
the header's switch saves the choice, and it outlives the sign-out."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from accounts.models import Profile
from tests.conftest import PASSWORD


def lang_of(response) -> str:
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def sign_in(client: Client, username: str):
    response = client.post(
        "/accounts/login/", {"username": username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200 and response.wsgi_request.user.is_authenticated
    return response


def test_english_by_default_and_chinese_for_a_chinese_browser(world):
    assert lang_of(world.client_for(world.admin).get("/")) == "en"
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    chinese.force_login(world.admin)
    page = chinese.get("/")
    assert lang_of(page) == "zh-hans"
    assert "我的空间" in page.content.decode()


def test_the_switch_is_in_the_header_signed_in_or_not(world):
    for client in (Client(), world.client_for(world.admin)):
        html = client.get("/accounts/login/" if client.cookies == {} else "/").content.decode()
        assert 'action="/i18n/setlang/"' in html
        assert 'name="language" value="zh-hans"' in html and "简体中文" in html


def test_switching_saves_the_choice_on_the_user(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, "admin")
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/members-x/"})
    assert response.status_code == 302 and response["Location"] == "/members-x/"
    assert Profile.objects.get(user=world.admin).language == "zh-hans"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert lang_of(client.get("/")) == "zh-hans"


def test_the_choice_follows_the_user_to_another_browser_and_past_sign_out(world):
    first = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(first, "admin")
    first.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    signed_out = first.post("/accounts/logout/", follow=True)
    assert lang_of(signed_out) == "zh-hans"  # the sign-in page after signing out
    assert lang_of(first.get("/accounts/login/")) == "zh-hans"

    other = Client(HTTP_ACCEPT_LANGUAGE="en")  # an English browser that never switched
    assert lang_of(other.get("/accounts/login/")) == "en"
    assert lang_of(sign_in(other, "admin")) == "zh-hans"
    # ...and from then on this browser keeps it, signed out too.
    assert other.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    other.post("/accounts/logout/")
    assert lang_of(other.get("/accounts/login/")) == "zh-hans"


def test_switching_back_to_english(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    sign_in(client, "admin")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert Profile.objects.get(user=world.admin).language == "en"
    assert lang_of(client.get("/")) == "en"


def test_signed_out_switch_sets_only_the_cookie(world):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert lang_of(client.get("/accounts/login/")) == "zh-hans"
    assert not Profile.objects.exists()


def test_odd_switch_requests_change_nothing(world):
    client = world.client_for(world.admin)
    assert client.get("/i18n/setlang/").status_code == 405
    response = client.post("/i18n/setlang/", {"language": "klingon", "next": "https://evil.test/"})
    assert response.status_code == 302 and response["Location"] == "/"  # not off-site
    assert not Profile.objects.exists()
    assert lang_of(client.get("/")) == "en"


def test_the_profile_page_saves_language_and_time_zone(world):
    client = world.client_for(world.member)
    page = client.get("/profile/").content.decode()
    assert 'name="language"' in page and 'name="time_zone"' in page
    assert 'href="/accounts/password/"' in page
    response = client.post("/profile/", {"language": "zh-hans", "time_zone": "Asia/Shanghai"})
    assert response.status_code == 302
    profile = Profile.objects.get(user=world.member)
    assert (profile.language, profile.time_zone) == ("zh-hans", "Asia/Shanghai")
    page = client.get("/profile/")
    assert lang_of(page) == "zh-hans" and "已保存您的个人设置" in page.content.decode()


def test_the_profile_refuses_an_unknown_zone(world):
    client = world.client_for(world.member)
    response = client.post("/profile/", {"language": "", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200 and "Mars/Olympus" in response.content.decode()
    assert 'class="errors"' in response.content.decode()
    assert not Profile.objects.exists()


def test_the_script_catalog_is_served_as_a_file_in_the_page_language(client, db):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<script src="/jsi18n/?l=zh-hans" defer></script>' in html
    catalog = client.get("/jsi18n/?l=zh-hans", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert catalog["Content-Type"].startswith("text/javascript")
    assert "django.gettext" in catalog.content.decode()
    assert "<script>" not in html.split("</head>")[0].replace(" src=", "")


def test_the_lockout_answer_is_in_the_readers_language(world, settings):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked = client.post("/accounts/login/", {"username": "member", "password": "wrong"})
    assert locked.status_code == 429
    assert "登录此账号失败次数过多" in locked.content.decode()


def test_choosing_the_browsers_language_again_lets_accept_language_decide(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    sign_in(client, "admin")
    client.post("/profile/", {"language": "en", "time_zone": ""})
    assert lang_of(client.get("/")) == "en"
    client.post("/profile/", {"language": "", "time_zone": ""})
    assert lang_of(client.get("/")) == "zh-hans"
    client.post("/accounts/logout/")
    assert lang_of(client.get("/accounts/login/")) == "zh-hans"
