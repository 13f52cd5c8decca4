"""The mutation run's configuration, checked by the ordinary suite: a typo in
modules.toml or equivalent.toml fails here in a second, not in CI's mutation step."""

from __future__ import annotations

import tomllib

from tests.mutation import run


def test_every_module_and_its_tests_exist():
    threshold, modules = run.load_config()
    assert 0 < threshold <= 100
    assert modules
    for module, tests in modules.items():
        assert (run.ROOT / module).is_file(), module
        assert tests, f"{module} names no tests"
        for test in tests:
            assert (run.ROOT / test).is_file(), test


def test_every_equivalent_mutant_is_reviewed_once_for_a_listed_module():
    _, modules = run.load_config()
    entries = tomllib.loads((run.HERE / "equivalent.toml").read_text())["equivalent"]
    seen = set()
    for entry in entries:
        assert set(entry) == {"module", "mutant", "reason"}, entry
        assert entry["module"] in modules, entry
        assert entry["reason"].strip(), entry
        assert (entry["module"], entry["mutant"]) not in seen, entry
        seen.add((entry["module"], entry["mutant"]))
    assert run.load_equivalent()  # and the runner reads the same file


def test_the_key_of_a_mutant_is_its_function_and_changed_line_not_its_number():
    diff = (
        "--- chat/bodies.py\n+++ chat/bodies.py\n@@ -1,3 +1,3 @@\n"
        " def parse_body(text):\n-    if len(text) > LIMIT:\n+    if len(text) >= LIMIT:\n"
    )
    key = "parse_body: if len(text) >= LIMIT:"
    assert run.stable_key("chat/bodies.py", "chat.bodies.x_parse_body__mutmut_1", diff) == key
    assert run.stable_key("chat/bodies.py", "chat.bodies.x_parse_body__mutmut_71", diff) == key
    method = "chat.streams.xǁStreamParserǁfeed_line__mutmut_3"
    assert run.stable_key("chat/streams.py", method, diff).startswith("StreamParser.feed_line: ")


def test_a_survivor_is_printed_as_valid_toml():
    for key in ["f: x = 'a'", 'f: x = "a"', "f: plain"]:
        entry = f"mutant = {run.toml_string(key)}"
        assert tomllib.loads(entry) == {"mutant": key}
