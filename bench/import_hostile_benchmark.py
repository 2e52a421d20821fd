"""Peak memory and time of reading hostile XLSX files, run by hand (never by
CI); needs no database.

    "$VENV/bin/python" bench/import_hostile_benchmark.py [--openpyxl] \
        [--only empty_row_bomb ...]

Writes each file of tests/hostile_xlsx.py at the size the issue measured (a
2 MB sheet of 25 million empty rows with 2 MB of incompressible padding,
8 million shared strings, ...) to a temporary folder, then reads it in a
subprocess of its own with the import's reader (``CustomerFileReader``, with
the default limits) and reports what the reader did (refused, and why, or
the rows it read), the seconds it took (wall clock and CPU) and the growth
of the subprocess's peak resident memory (VmHWM) over its size before
reading. ``--openpyxl`` also reads each file with openpyxl's read-only
mode, as the import did before, for comparison.

The floor of bench/README.md is checked on the module's reader: every file
refused, each refusal at most 2 s of CPU. The script exits non-zero naming
each file that missed it.
"""

import argparse
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import time

from bench_odoo import Floors

MODULE = "crm_customer_ownership"
ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo/18.0")
MODULE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The floor of bench/README.md ("Hostile XLSX files"): CPU seconds of a
# refusal, at most.
REFUSAL_CPU_FLOOR = 2.0
# (file of tests/hostile_xlsx.py, its arguments): the sizes of the issue's
# probes, and a shared-string table just under the part limit, which is
# parsed until the element budget refuses it (the slowest refusal).
SIZES = {
    "empty_row_bomb": ("empty_row_bomb", {"rows": 25_000_000, "padding": 2 << 20}),
    "shared_strings_8m": (
        "shared_strings_bomb",
        {"strings": 8_000_000, "padding": 2 << 20},
    ),
    "shared_strings_5m": (
        "shared_strings_bomb",
        {"strings": 5_000_000, "padding": 1 << 20},
    ),
    "huge_cell": ("huge_cell", {"chars": 10_000_000}),
    "many_columns": ("many_columns", {"columns": 20_000}),
    "deep_nesting": ("deep_nesting", {"depth": 1_000_000}),
    "billion_laughs": ("billion_laughs", {}),
    "external_entity": ("external_entity", {}),
}
sys.path.insert(0, ODOO_SRC)


def out(text=""):
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def peak_rss_mb():
    """VmHWM, not ru_maxrss: Linux carries the parent's peak over fork and
    exec into ru_maxrss."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def load_hostile_module():
    # Loaded by path: importing the tests package would import Odoo's test
    # framework.
    path = os.path.join(MODULE_DIR, "tests", "hostile_xlsx.py")
    spec = importlib.util.spec_from_file_location("hostile_xlsx", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def child(path, reader):
    import odoo.addons

    parent = tempfile.mkdtemp(prefix="bench-addons-")
    os.symlink(MODULE_DIR, os.path.join(parent, MODULE))
    odoo.addons.__path__.append(parent)
    from openpyxl import load_workbook

    from odoo.exceptions import UserError

    from odoo.addons.crm_customer_ownership.models.customer_import_reader import (
        CustomerFileReader,
    )

    with open(path, "rb") as stream:
        data = stream.read()
    base = peak_rss_mb()
    start = time.perf_counter()
    cpu_start = time.process_time()
    try:
        if reader == "openpyxl":
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))
        else:
            file_reader = CustomerFileReader(
                data, os.path.basename(path), lambda text, **kw: text % kw
            )
            rows = sum(1 for _row in file_reader.rows())
        outcome = f"read {rows} rows"
    except UserError as error:
        outcome = "refused: " + str(error.args[0])[:90]
    except Exception as error:  # noqa: BLE001 - openpyxl fails in many ways
        outcome = f"failed: {type(error).__name__}: {str(error)[:70]}"
    out(
        json.dumps(
            {
                "seconds": time.perf_counter() - start,
                "cpu_seconds": time.process_time() - cpu_start,
                "growth_mb": peak_rss_mb() - base,
                "outcome": outcome,
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(SIZES))
    parser.add_argument("--openpyxl", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    hostile = load_hostile_module()
    readers = ["module", "openpyxl"] if args.openpyxl else ["module"]
    floors = Floors()
    with tempfile.TemporaryDirectory(prefix="hostile-xlsx-") as folder:
        for name in args.only or SIZES:
            path = os.path.join(folder, f"{name}.xlsx")
            with open(path, "wb") as stream:
                function, kwargs = SIZES[name]
                stream.write(hostile.HOSTILE_FILES[function](**kwargs))
            size = os.path.getsize(path) / 1024 / 1024
            for reader in readers:
                result = subprocess.run(
                    [sys.executable, __file__, "--child", path, reader],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                lines = result.stdout.strip().splitlines()
                if not lines:
                    out(f"{name:<20} {reader:<8} crashed: {result.stderr[-200:]}")
                    if reader == "module":
                        floors.require(name, False, "the reader crashed")
                    continue
                measure = json.loads(lines[-1])
                out(
                    f"{name:<20} {size:6.1f} MB {reader:<8} "
                    f"{measure['seconds']:6.1f} s {measure['cpu_seconds']:6.2f} s CPU  "
                    f"+{measure['growth_mb']:6.0f} MB  "
                    f"{measure['outcome']}"
                )
                if reader == "module":
                    floors.require(
                        f"{name}: the reader refuses it",
                        measure["outcome"].startswith("refused"),
                        measure["outcome"][:60],
                    )
                    floors.at_most(
                        f"{name}: CPU seconds of the refusal",
                        measure["cpu_seconds"],
                        REFUSAL_CPU_FLOOR,
                    )
    floors.done()


if __name__ == "__main__":
    main()
