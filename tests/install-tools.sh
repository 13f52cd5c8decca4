#!/usr/bin/env bash
# Installs everything the test suite needs: the virtualenv with the Python test tools,
# and the Node tools the integration tests call. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install -q -r requirements-dev.txt
