"""The playground's conversation logic (static/js/conversation.js) under Node's own test
runner: how a body becomes the chat view and back, and why a body cannot be shown there.
The browser journeys (tests/browser) drive the same code through the page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_conversation_module_passes_its_node_tests():
    node = shutil.which("node")
    assert node, "Node.js is needed (bash tests/install-tools.sh installs it)"
    result = subprocess.run(
        [node, "--test", "tests/node/conversation.test.mjs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# pass 7" in result.stdout and "# fail 0" in result.stdout
