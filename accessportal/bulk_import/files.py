"""An uploaded file or pasted text → a table of cells, or one clear error for the file.

Pure: no database. Anything wrong with the file as a whole — too large, not UTF-8, binary,
unknown or missing columns, a CSV or JSON that is broken or cut off — is an
``ImportFileError`` whose message says what to do; nothing of such a file is ever written.
Messages never quote cells: a cell may be an API key.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accessportal.bulk_import.kinds import ImportKind

MAX_ROWS = 5000
MAX_BYTES = 8 * 1024 * 1024
CSV = "csv"
JSON = "json"

Cell = str | list[str]


class ImportFileError(Exception):
    """The file cannot be imported at all; ``str(error)`` is the message for the admin."""


@dataclass(frozen=True)
class Row:
    number: int  # CSV: the row as a spreadsheet numbers it (header = 1); JSON: the item, from 1
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Table:
    format: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def decode(raw: bytes) -> str:
    """UTF-8 text (a byte-order mark is dropped) of at most ``MAX_BYTES``."""
    if len(raw) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)s MB. Split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "The file is not UTF-8 text (the first wrong byte is number %(position)s). "
                "Save it as UTF-8 (“CSV UTF-8” in a spreadsheet) and upload it again."
            )
            % {"position": error.start + 1}
        ) from None
    if "\x00" in text:
        raise ImportFileError(_("The file holds binary data: upload a CSV or JSON text file."))
    return text


def detect_format(text: str, filename: str = "") -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in (CSV, JSON):
        return extension
    return JSON if text.lstrip()[:1] in ("[", "{") else CSV


def read_table(text: str, kind: ImportKind, *, fmt: str) -> Table:
    rows = _read_json(text, kind) if fmt == JSON else _read_csv(text, kind)
    if not rows:
        raise ImportFileError(_("The file has no rows to import."))
    columns = tuple(c for c in kind.columns if any(c in r.cells for r in rows))
    return Table(format=fmt, columns=columns, rows=tuple(rows))


def _too_many() -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(max)s rows. Split it into files of at most %(max)s rows.")
        % {"max": f"{MAX_ROWS:,}"}
    )


def _check_columns(names: list[str], kind: ImportKind, where: str) -> None:
    unknown = [n for n in names if n not in kind.columns]
    if unknown:
        raise ImportFileError(
            _("%(where)s: unknown column(s) %(unknown)s. The columns are: %(known)s.")
            % {
                "where": where,
                "unknown": ", ".join(repr(n[:40]) for n in unknown[:5]),
                "known": ", ".join(kind.columns),
            }
        )
    missing = [c for c in kind.required if c not in names]
    if missing:
        raise ImportFileError(
            ngettext(
                "%(where)s: the column %(missing)s is missing.",
                "%(where)s: the columns %(missing)s are missing.",
                len(missing),
            )
            % {"where": where, "missing": ", ".join(missing)}
        )


def _read_csv(text: str, kind: ImportKind) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    try:
        header = next(reader, None)
        if header is None:
            raise ImportFileError(_("The file is empty."))
        names = [h.strip().lower() for h in header]
        if len(set(names)) != len(names):
            raise ImportFileError(_("The header row names a column twice."))
        _check_columns(names, kind, _("The header row"))
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # blank lines, as spreadsheets leave them
            if len(cells) != len(names):
                raise ImportFileError(
                    _(
                        "Row %(row)s has %(found)s cells where the header has %(expected)s. "
                        "Is the file cut off, or a value with a comma not in quotes?"
                    )
                    % {"row": reader.line_num, "found": len(cells), "expected": len(names)}
                )
            if len(rows) == MAX_ROWS:
                raise _too_many()
            values = {n: c.strip() for n, c in zip(names, cells, strict=True)}
            for name in kind.list_columns:
                if name in values:
                    values[name] = _split_list(values[name])
            rows.append(Row(number=reader.line_num, cells=values))
    except csv.Error as error:
        raise ImportFileError(
            _(
                "The CSV is broken at row %(row)s (%(reason)s). A quote that is never closed "
                "usually means the file was cut off."
            )
            % {"row": reader.line_num, "reason": str(error)[:80]}
        ) from None
    return rows


def _split_list(value: str) -> list[str]:
    return [item.strip() for item in value.replace("\n", ";").split(";") if item.strip()]


def _read_json(text: str, kind: ImportKind) -> list[Row]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            _(
                "The JSON is broken at line %(line)s, column %(column)s (%(reason)s). "
                "A file cut off in the middle ends like this."
            )
            % {"line": error.lineno, "column": error.colno, "reason": error.msg}
        ) from None
    except RecursionError:
        raise ImportFileError(_("The JSON is nested too deeply.")) from None
    if isinstance(document, dict) and set(document) == {kind.name}:
        document = document[kind.name]
    if not isinstance(document, list):
        raise ImportFileError(
            _('The JSON must be a list of objects, or {"%(kind)s": [ … ]}.') % {"kind": kind.name}
        )
    if len(document) > MAX_ROWS:
        raise _too_many()
    rows = []
    for number, item in enumerate(document, start=1):
        where = _("Item %(n)s") % {"n": number}
        if not isinstance(item, dict):
            raise ImportFileError(_("%(where)s is not an object.") % {"where": where})
        _check_columns(list(item), kind, where)
        rows.append(
            Row(number=number, cells={k: _json_cell(v, k, kind, where) for k, v in item.items()})
        )
    return rows


def _json_cell(value: object, column: str, kind: ImportKind, where: str) -> Cell:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        text = str(value).strip()
        return _split_list(text) if column in kind.list_columns else text
    if (
        isinstance(value, list)
        and column in kind.list_columns
        and all(isinstance(v, (str, int)) for v in value)
    ):
        return [str(v).strip() for v in value if str(v).strip()]
    raise ImportFileError(
        _("%(where)s: the value of %(column)s must be text or a number.")
        % {"where": where, "column": column}
    )
