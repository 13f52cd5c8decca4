#!/usr/bin/env bash
# Installs everything the test suite needs: the virtualenv with the Python test tools,
# and the Node tools the integration tests call. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install -q -r requirements-dev.txt

# newman runs the generated Postman collections (tests/test_postman.py); pinned by the lockfile.
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
else
  echo "npm not found: install Node.js and npm, or tests/test_postman.py fails without newman" >&2
fi

# msgfmt and xgettext (Debian's gettext) compile and extract the translation catalogs
# (manage.py refresh_catalogs; tests/i18n/test_catalogs.py checks them).
if ! command -v msgfmt >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update && apt-get install -y gettext
  else
    echo "msgfmt not found: run 'sudo apt-get install -y gettext', or tests/i18n fails" >&2
  fi
fi

# The browser tests (tests/browser) drive Debian's Chromium through Playwright; Playwright
# never downloads a browser of its own here.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    command -v chromium || { apt-get update && apt-get install -y chromium; }
  else
    echo "chromium not found: run 'sudo apt-get update && sudo apt-get install -y chromium', or tests/browser fails" >&2
  fi
fi
# A Chinese font, so the browser journeys in Chinese lay out real glyphs (not empty boxes).
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh)" ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-wqy-microhei
  else
    echo "no Chinese font: run 'sudo apt-get install -y fonts-wqy-microhei', or tests/browser/test_i18n_journeys.py fails" >&2
  fi
fi
