#!/usr/bin/env python3
"""Mutation check: do the tests fail when the code is wrong?

Puts each small bug of tools/mutations.py into a temporary copy of the
module, one at a time, runs the tests named for it with pytest-odoo against
an installed database, and reports which mutants the tests killed (a test
failed) and which survived (every test passed). The checkout itself is never
modified. Exits non-zero when the killed share is under the threshold.

    python3 tools/mutation_check.py                  # every mutant
    python3 tools/mutation_check.py --only ID,ID     # some of them
    python3 tools/mutation_check.py --list           # what would run

The virtualenv, PostgreSQL and the Odoo configuration come from
tools/common.sh, as for tools/run_tests.sh. The database (--db) is created
with the module installed when it does not exist and kept for the next run:
mutants change Python only, so the installed database serves them all.
Slow: one Odoo start per mutant (about 30 s on 2 cores, plus its tests).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODULE = "crm_customer_ownership"
sys.path.insert(0, str(REPO / "tools"))
from mutations import MUTATIONS


def odoo_setup(addons_dir, db, conf):
    """(python, odoo source) from tools/common.sh, and the Odoo config at
    ``conf`` pointing at ``addons_dir``; the database installed if absent."""
    script = r"""
        source "$1"
        setup_all >&2
        ADDONS_DIR="$2"
        write_odoo_config "$3" "$4"
        if ! psql -lqt | cut -d'|' -f1 | grep -qw "$3"; then
            log "installing $MODULE on $3 for the mutation check"
            PYTHONPATH="$ODOO_SRC" "$PYTHON" "$ODOO_SRC/odoo-bin" -c "$4" -d "$3" \
                -i "$MODULE" --stop-after-init --log-level=warn >&2
        fi
        printf '%s\n%s\n' "$PYTHON" "$ODOO_SRC"
    """
    out = subprocess.run(
        [
            "bash",
            "-c",
            script,
            "_",
            str(REPO / "tools/common.sh"),
            addons_dir,
            db,
            conf,
        ],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout.split("\n")
    return out[0], out[1]


def copy_module(target):
    """The checkout's files (work tree, uncommitted changes included)."""
    shutil.copytree(
        REPO,
        target,
        ignore=shutil.ignore_patterns(".git", "__pycache__", "*.pyc", ".ruff_cache"),
    )


def check_mutations(selected):
    """Every mutant's original snippet is in its file exactly once."""
    problems = []
    seen = set()
    for mutation in selected:
        if mutation["id"] in seen:
            problems.append(f"{mutation['id']}: id used twice")
        seen.add(mutation["id"])
        text = (REPO / mutation["file"]).read_text()
        count = text.count(mutation["original"])
        if count != 1:
            problems.append(
                f"{mutation['id']}: the original is {count} times in {mutation['file']}"
            )
        if not mutation["tests"]:
            problems.append(f"{mutation['id']}: no tests named")
    return problems


def run_tests(python, odoo_src, conf, db, module_dir, tests, timeout):
    """pytest's exit code for ``tests`` in the copy, and its last line."""
    env = dict(os.environ, PYTHONPATH=odoo_src)
    command = [
        python,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "-x",
        "-W",
        "ignore::DeprecationWarning",
        f"--odoo-config={conf}",
        f"--odoo-database={db}",
        *(f"{module_dir}/{test}" for test in tests),
    ]
    try:
        done = subprocess.run(
            command,
            check=False,
            cwd=module_dir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return "timeout", ""
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return done.returncode, lines[-1] if lines else ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=f"{MODULE}_mutation")
    parser.add_argument("--only", help="comma-separated mutant ids")
    parser.add_argument("--threshold", type=float, default=90.0)
    parser.add_argument("--timeout", type=int, default=1200, help="seconds per mutant")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()

    selected = MUTATIONS
    if args.only:
        wanted = set(args.only.split(","))
        selected = [m for m in MUTATIONS if m["id"] in wanted]
        unknown = wanted - {m["id"] for m in selected}
        if unknown:
            sys.exit(f"unknown mutant ids: {', '.join(sorted(unknown))}")
    problems = check_mutations(selected)
    if problems:
        sys.exit(
            "mutations.py is out of date with the code:\n  " + "\n  ".join(problems)
        )
    if args.list:
        for mutation in selected:
            print(f"{mutation['id']:40} {mutation['rule']:15} {mutation['file']}")
        print(f"{len(selected)} mutants")
        return 0

    with tempfile.TemporaryDirectory(prefix="mutation_check_") as tmp:
        addons_dir = os.path.join(tmp, "addons")
        module_dir = os.path.join(addons_dir, MODULE)
        copy_module(module_dir)
        conf = os.path.join(tmp, "odoo.conf")
        python, odoo_src = odoo_setup(addons_dir, args.db, conf)

        # The named tests must pass on the code as it is, or a failure
        # proves nothing.
        every_test = sorted({test for m in selected for test in m["tests"]})
        print(
            f"baseline: {len(every_test)} test groups on the unmutated code", flush=True
        )
        code, last = run_tests(
            python, odoo_src, conf, args.db, module_dir, every_test, args.timeout * 3
        )
        if code != 0:
            sys.exit(f"the tests fail without any mutant ({code}): {last}")

        results = []
        for number, mutation in enumerate(selected, 1):
            path = Path(module_dir) / mutation["file"]
            original = path.read_text()
            started = time.monotonic()
            try:
                path.write_text(
                    original.replace(mutation["original"], mutation["replacement"], 1)
                )
                code, last = run_tests(
                    python,
                    odoo_src,
                    conf,
                    args.db,
                    module_dir,
                    mutation["tests"],
                    args.timeout,
                )
            finally:
                path.write_text(original)
            outcome = {0: "SURVIVED", 1: "killed"}.get(code, f"error ({code})")
            results.append((mutation, outcome))
            print(
                f"[{number}/{len(selected)}] {outcome:10} {mutation['id']} "
                f"({time.monotonic() - started:.0f} s): {last}",
                flush=True,
            )

    killed = sum(1 for _m, outcome in results if outcome == "killed")
    share = 100 * killed / len(results)
    print(
        f"\nMutation check: {killed} of {len(results)} mutants killed ({share:.0f} %)"
    )
    for mutation, outcome in results:
        if outcome != "killed":
            print(
                f"  {outcome}: {mutation['id']} "
                f"({mutation['rule']}, {mutation['file']})"
            )
    if share < args.threshold:
        print(f"under the threshold of {args.threshold:.0f} %", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
