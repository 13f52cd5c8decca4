"""The catalogs are complete, compiled, and hold every marked string (CI runs this)."""

from __future__ import annotations

import shutil
import subprocess

import polib
import pytest
from django.conf import settings

from accessportal import catalogs

needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None,
    reason="gettext missing: bash tests/install-tools.sh installs it",
)


@needs_gettext
def test_catalogs_are_complete_compiled_and_up_to_date():
    problems = catalogs.problems(settings.BASE_DIR)
    assert problems == [], (
        "Run `python manage.py refresh_catalogs`, translate what it lists in "
        "locale/zh_Hans/LC_MESSAGES/*.po, run it again and commit:\n" + "\n".join(problems)
    )


def write_po(path, entries):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "zh_Hans"}
    po.extend(entries)
    po.save(str(path))
    return path


@needs_gettext
def test_the_checks_catch_untranslated_fuzzy_and_stale(tmp_path):
    po_file = write_po(
        tmp_path / "django.po",
        [
            polib.POEntry(msgid="Save", msgstr="保存"),
            polib.POEntry(msgid="Cancel", msgstr=""),
            polib.POEntry(msgid="Delete", msgstr="删除", flags=["fuzzy"]),
        ],
    )
    assert catalogs.entry_problems(po_file) == [
        "django.po: untranslated: 'Cancel'",
        "django.po: fuzzy: 'Delete'",
    ]
    assert catalogs.compiled_problems(po_file) == ["django.mo: missing (run refresh_catalogs)"]
    subprocess.run(["msgfmt", "-o", str(tmp_path / "django.mo"), str(po_file)], check=True)
    assert catalogs.compiled_problems(po_file) == []
    po = polib.pofile(str(po_file))
    po.find("Save").msgstr = "存储"
    po.save()
    assert catalogs.compiled_problems(po_file) == [
        "django.mo: out of date with django.po (run refresh_catalogs)"
    ]


def test_the_refresh_command_covers_both_domains_and_skips_tools():
    args = catalogs.makemessages_args()
    assert "--locale=zh_Hans" in args and "--no-obsolete" in args
    for skipped in (".venv/*", "node_modules/*", "tests/*", "mutants/*"):
        assert f"--ignore={skipped}" in args
    assert catalogs.DOMAINS == ("django", "djangojs")


@needs_gettext
def test_a_marked_string_missing_from_the_catalog_is_caught(tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(settings.BASE_DIR, tree, ignore=catalogs._copy_ignore, symlinks=True)
    (tree / "templates" / "new_page.html").write_text(
        '{% load i18n %}<p>{% translate "A string nobody translated yet" %}</p>\n'
    )
    (tree / "static" / "js" / "new.js").write_text('alert(gettext("A script string"));\n')
    assert catalogs.missing_msgids(tree) == [
        "django.po: not in the catalog yet: 'A string nobody translated yet'",
        "djangojs.po: not in the catalog yet: 'A script string'",
    ]
