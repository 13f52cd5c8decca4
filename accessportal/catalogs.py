"""The translation catalogs in locale/: refreshing them and checking them.

``python manage.py refresh_catalogs`` extracts every marked string (templates and Python
into ``django.po``, scripts into ``djangojs.po``) and compiles the ``.mo`` files;
``--check`` changes nothing and lists what is wrong: an entry untranslated or fuzzy, a
compiled file that does not match its ``.po``, or a marked string the catalogs lack.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

LOCALES = ("zh_Hans",)
DOMAINS = ("django", "djangojs")
# Never scanned for strings: tools, tests (their English is asserted, not shown), copies.
IGNORED = (
    ".venv",
    "node_modules",
    "tests",
    "mutants",
    "staticfiles",
    "test-artifacts",
    "bench",
    "simulator",
)


def locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


def po_path(locale: str, domain: str, root: Path | None = None) -> Path:
    base = (root / "locale") if root else locale_dir()
    return base / locale / "LC_MESSAGES" / f"{domain}.po"


def makemessages_args() -> list[str]:
    args = ["makemessages", "--no-obsolete", "--add-location=file"]
    args += [f"--locale={locale}" for locale in LOCALES]
    args += [f"--ignore={name}/*" for name in IGNORED]
    return args


def compilemessages_args() -> list[str]:
    args = ["compilemessages"]
    args += [f"--locale={locale}" for locale in LOCALES]
    args += [f"--ignore={name}" for name in IGNORED]
    return args


def refresh(run_command) -> None:
    """Extract both domains into the .po files, then compile them (``run_command`` is
    Django's ``call_command``)."""
    for domain in DOMAINS:
        run_command(*makemessages_args(), f"--domain={domain}")
    run_command(*compilemessages_args())


# --- checks --------------------------------------------------------------------------------


def _key(entry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _value(entry) -> tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return (entry.msgstr,)


def entry_problems(po_file: Path) -> list[str]:
    """Untranslated and fuzzy entries of one .po file."""
    import polib

    po = polib.pofile(str(po_file))
    problems = [f"untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    problems += [f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    return [f"{po_file.name}: {p}" for p in problems]


def compiled_problems(po_file: Path) -> list[str]:
    """The .mo beside ``po_file`` must hold exactly its translated entries."""
    import polib

    mo_file = po_file.with_suffix(".mo")
    if not mo_file.exists():
        return [f"{mo_file.name}: missing (run refresh_catalogs)"]
    po = polib.pofile(str(po_file))
    wanted = {_key(e): _value(e) for e in po.translated_entries()}
    found = {_key(e): _value(e) for e in polib.mofile(str(mo_file)) if e.msgid}
    if wanted != found:
        return [f"{mo_file.name}: out of date with {po_file.name} (run refresh_catalogs)"]
    return []


def msgids(po_file: Path) -> set[tuple[str, str, str]]:
    import polib

    if not po_file.exists():
        return set()
    return {_key(e) for e in polib.pofile(str(po_file)) if not e.obsolete}


def _copy_ignore(directory: str, names: list[str]) -> set[str]:
    skip = set(IGNORED) | {".git", "__pycache__", ".pytest_cache", ".ruff_cache"}
    return {n for n in names if n in skip or n.endswith((".sqlite3", ".mo"))}


def missing_msgids(root: Path) -> list[str]:
    """Marked strings that makemessages would add: run it in a copy of the tree."""
    with tempfile.TemporaryDirectory(prefix="catalogs-") as tmp:
        copy = Path(tmp) / "tree"
        shutil.copytree(root, copy, ignore=_copy_ignore, symlinks=True)
        for domain in DOMAINS:
            subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
                [sys.executable, "manage.py", *makemessages_args(), f"--domain={domain}"],
                cwd=copy,
                check=True,
                capture_output=True,
                text=True,
            )
        problems = []
        for locale in LOCALES:
            for domain in DOMAINS:
                extracted = msgids(po_path(locale, domain, copy))
                added = extracted - msgids(po_path(locale, domain, root))
                problems += [
                    f"{domain}.po: not in the catalog yet: {msgid!r}"
                    for _ctx, msgid, _plural in sorted(added)
                ]
        return problems


def problems(root: Path) -> list[str]:
    found = []
    for locale in LOCALES:
        for domain in DOMAINS:
            po_file = po_path(locale, domain)
            if not po_file.exists():
                found.append(f"{po_file}: missing (run refresh_catalogs)")
                continue
            found += entry_problems(po_file) + compiled_problems(po_file)
    return found + missing_msgids(root)
