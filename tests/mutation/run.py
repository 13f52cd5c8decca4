"""Mutation testing of the pure modules, one module at a time against its own tests.

    .venv/bin/python tests/mutation/run.py                 # every module in modules.toml
    .venv/bin/python tests/mutation/run.py chat/hints.py   # just these

For each module in ``modules.toml`` this builds a work directory under ``mutants/`` (the
project's packages linked in, a pyproject.toml with a ``[tool.mutmut]`` section naming
that one module and its tests), runs ``mutmut run`` there, and scores the result:
killed / (all mutants - the reviewed equivalent ones in ``equivalent.toml``); a mutant
no test reaches counts as surviving. It exits non-zero when a module scores under the
threshold or mutmut itself fails; each survivor is printed with a ready-to-paste entry
for ``equivalent.toml`` (paste only after review, with the reason it cannot be observed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
WORK = ROOT / "mutants"  # gitignored; mutmut 3 names its own copy "mutants" too

# Top-level entries never linked into a work directory: VCS and tool state, the venv,
# and the work directories themselves.
SKIP_TOP = {"mutants", "tests", "pyproject.toml", "node_modules"}
# Parts of tests/ the unit tests never need (node_modules is large after `npm ci`).
SKIP_TESTS = {"node", "__pycache__", "mutation"}

DETECTED = {"killed", "timeout", "caught by type check"}
# mutmut's exit codes (mutmut.stats.status_by_exit_code, pinned version).
STATUS = {
    0: "survived",
    1: "killed",
    3: "killed",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    36: "timeout",
    37: "caught by type check",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
}


@dataclass
class Score:
    module: str
    total: int = 0
    detected: int = 0
    equivalent: int = 0
    survivors: dict[str, str] = field(default_factory=dict)  # mutant name -> stable key
    timeouts: int = 0  # counted as caught, as mutmut does, but shown
    stale: list[str] = field(default_factory=list)  # equivalent.toml entries nothing matched
    error: str = ""
    seconds: float = 0.0

    @property
    def counted(self) -> int:
        return self.total - self.equivalent

    @property
    def percent(self) -> float:
        return 100.0 * self.detected / self.counted if self.counted else 100.0


def load_config() -> tuple[float, dict[str, list[str]]]:
    data = tomllib.loads((HERE / "modules.toml").read_text())
    return float(data["threshold"]), {m: list(t) for m, t in data["modules"].items()}


def load_equivalent() -> dict[str, dict[str, str]]:
    """module -> {stable mutant key: reason}."""
    data = tomllib.loads((HERE / "equivalent.toml").read_text())
    marks: dict[str, dict[str, str]] = {}
    for entry in data.get("equivalent", []):
        if not str(entry.get("reason", "")).strip():
            raise SystemExit(f"equivalent.toml: {entry.get('mutant')!r} needs a reason")
        marks.setdefault(entry["module"], {})[entry["mutant"]] = entry["reason"]
    return marks


def stable_key(module: str, mutant: str, diff: str) -> str:
    """``function: <mutated line(s)>``: independent of mutmut's mutant numbering, which
    shifts whenever a function gains or loses a mutant."""
    prefix = module.removesuffix(".py").replace("/", ".") + "."
    function = mutant.removeprefix(prefix).rsplit("__mutmut_", 1)[0]
    function = function.removeprefix("x_").removeprefix("xǁ").replace("ǁ", ".")
    added = [
        line[1:].strip() for line in diff.splitlines() if line[:1] == "+" and line[:3] != "+++"
    ]
    removed = [
        line[1:].strip() for line in diff.splitlines() if line[:1] == "-" and line[:3] != "---"
    ]
    changed = " ⏎ ".join(added) if added else "deleted: " + " ⏎ ".join(removed)
    return f"{function}: {changed}"


def slug(module: str) -> str:
    return module.removesuffix(".py").replace("/", ".")


def prepare(module: str, tests: list[str]) -> Path:
    """A fresh work directory: the project linked in, a mutmut config for ``module``."""
    work = WORK / slug(module)
    shutil.rmtree(work, ignore_errors=True)
    (work / "tests").mkdir(parents=True)
    packages, others = [], []
    for entry in sorted(ROOT.iterdir()):
        if entry.name.startswith(".") or entry.name in SKIP_TOP:
            continue
        (work / entry.name).symlink_to(entry)
        is_package = entry.is_dir() and (entry / "__init__.py").exists()
        (packages if is_package else others).append(entry.name)
    for entry in sorted((ROOT / "tests").iterdir()):
        if entry.name not in SKIP_TESTS:
            (work / "tests" / entry.name).symlink_to(entry)
    missing = [t for t in tests if not (ROOT / t).exists()]
    if missing:
        raise FileNotFoundError(f"{module}: no such test file {', '.join(missing)}")
    # Every package is copied (Django imports all installed apps); only `module` mutates.
    settings = {
        "source_paths": packages,
        "only_mutate": [module],
        "also_copy": others,
        "pytest_add_cli_args_test_selection": tests,
        "pytest_add_cli_args": ["-p", "no:cacheprovider"],
        "use_git_change_detection": False,
        # mutmut's wall-clock limit is (test time + constant) x 15. None of these modules
        # loops on its own, so a timeout here means a loaded machine, not a caught mutant:
        # a large constant keeps a busy 2-core box from passing survivors off as timeouts.
        "timeout_constant": 30.0,
    }
    lines = ["", "[tool.mutmut]"] + [f"{k} = {json.dumps(v)}" for k, v in settings.items()]
    pyproject = (ROOT / "pyproject.toml").read_text() + "\n".join(lines) + "\n"
    (work / "pyproject.toml").write_text(pyproject)
    return work


def child_env() -> dict[str, str]:
    # SQLite and the local-memory cache: mutants run in parallel forks and must not share
    # a database or a Redis with each other or with anyone else's run.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def describe(work: Path, module: str, names: list[str]) -> dict[str, str]:
    """mutant name -> its diff, read by mutmut itself inside the work directory."""
    if not names:
        return {}
    script = (
        "import json, sys\n"
        "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
        "module, names = sys.argv[1], sys.argv[2:]\n"
        "print(json.dumps({n: get_diff_for_mutant(n, path=module) for n in names}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, module, *names],
        cwd=work,
        env=child_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def run_module(module: str, tests: list[str], marks: dict[str, str]) -> Score:
    score = Score(module)
    started = time.monotonic()
    work = prepare(module, tests)
    mutmut = Path(sys.executable).with_name("mutmut")
    log = work / "mutmut.log"
    with log.open("w") as handle:
        # Its own session (so a Ctrl-C reaches only us), which we end when we are stopped.
        process = subprocess.Popen(
            [str(mutmut), "run"],
            cwd=work,
            env=child_env(),
            stdout=handle,
            stderr=handle,
            start_new_session=True,
        )
        try:
            returncode = process.wait()
        except BaseException:
            os.killpg(process.pid, signal.SIGTERM)
            raise
    score.seconds = time.monotonic() - started
    meta = work / "mutants" / (module + ".meta")
    if returncode != 0 or not meta.exists():
        score.error = f"mutmut failed (exit {returncode}); see {log.relative_to(ROOT)}"
        return score
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    missed = []
    for name, code in codes.items():
        status = STATUS.get(code, "suspicious")
        score.total += 1
        if status in DETECTED:
            score.detected += 1
            score.timeouts += status == "timeout"
        else:
            missed.append(name)
    diffs = describe(work, module, missed)
    unused = set(marks)
    for name in missed:
        key = stable_key(module, name, diffs[name])
        if key in marks:
            score.equivalent += 1
            unused.discard(key)
        else:
            score.survivors[name] = key
    score.stale = sorted(unused)
    return score


def toml_string(text: str) -> str:
    return f"'''{text}'''" if "'" in text else f"'{text}'"


def report(scores: list[Score]) -> str:
    rows = [
        "| module | mutants | killed | of which timeouts | equivalent | survived | score |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        if s.error:
            rows.append(f"| `{s.module}` | | | | | | error |")
            continue
        rows.append(
            f"| `{s.module}` | {s.total} | {s.detected} | {s.timeouts} | {s.equivalent} | "
            f"{len(s.survivors)} | {s.percent:.1f}% |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="modules to run (default: all)")
    args = parser.parse_args()
    # A terminated run stops mutmut's workers too (run_module's cleanup sees SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    threshold, modules = load_config()
    unknown = [m for m in args.modules if m not in modules]
    if unknown:
        parser.error(f"not in modules.toml: {', '.join(unknown)}")
    marks = load_equivalent()
    stray = sorted(set(marks) - set(modules))
    if stray:
        parser.error(f"equivalent.toml names modules not in modules.toml: {', '.join(stray)}")
    chosen = args.modules or list(modules)
    started = time.monotonic()
    scores = []
    for module in chosen:
        print(f"== {module} against {' '.join(modules[module])}", flush=True)
        score = run_module(module, modules[module], marks.get(module, {}))
        scores.append(score)
        if score.error:
            print("   " + score.error, flush=True)
            continue
        print(
            f"   {score.percent:.1f}% ({score.detected}/{score.counted}, "
            f"{score.equivalent} equivalent) in {score.seconds:.0f} s",
            flush=True,
        )
        for key in score.stale:
            print(f"   stale entry in equivalent.toml (the line changed or is now caught): {key}")
        for name, key in sorted(score.survivors.items()):
            print(
                f"   survived {name}\n"
                f"     [[equivalent]]\n     module = {toml_string(module)}\n"
                f"     mutant = {toml_string(key)}\n     reason = ''"
            )
    table = report(scores)
    WORK.mkdir(exist_ok=True)
    (WORK / "scores.md").write_text(table + "\n")
    print()
    print(table)
    # CPU time as well as wall time: on a shared machine the wall time mostly measures the
    # neighbours; CPU seconds over the cores say what an idle machine would take.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"\n{len(chosen)} module(s) in {time.monotonic() - started:.0f} s "
        f"({usage.ru_utime + usage.ru_stime:.0f} CPU s on {os.cpu_count()} cores); "
        f"threshold {threshold:g}%"
    )
    failed = [s.module for s in scores if s.error or s.percent < threshold]
    if failed:
        print(f"FAILED (under {threshold:g}% or mutmut failed): {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
