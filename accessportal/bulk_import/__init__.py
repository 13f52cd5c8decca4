"""Import deployments or application accesses in bulk from a CSV or JSON file.

The steps, each a module:

- ``kinds``: the columns of each kind of import and its downloadable templates;
- ``files``: bytes or pasted text → a table of cells, or one clear error for the whole file
  (encoding, size, columns, broken or cut-off CSV/JSON); pure;
- ``rows``: each row → the data of the very form an admin would submit by hand
  (``DeploymentForm``, ``AccessForm``: one source of truth for the field rules), validated,
  with what it would do (create, update, no change) and every problem by column;
- ``writing``: *Apply* — every row through the audited services, in one transaction.

Between the preview and *Apply* the upload waits in a ``PendingImport`` row, encrypted
(see its docstring); the browser holds only that row's code.
"""

from __future__ import annotations

from accessportal.bulk_import.files import MAX_BYTES, MAX_ROWS, ImportFileError, read_table
from accessportal.bulk_import.kinds import KINDS, ImportKind
from accessportal.bulk_import.rows import ImportPreview, RowResult, check_rows
from accessportal.bulk_import.writing import apply_rows

__all__ = [
    "KINDS",
    "MAX_BYTES",
    "MAX_ROWS",
    "ImportFileError",
    "ImportKind",
    "ImportPreview",
    "RowResult",
    "apply_rows",
    "check_rows",
    "read_table",
]
