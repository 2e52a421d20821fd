"""Print how many tests a pytest run ran and skipped, from its JUnit XML
report, and fail when a browser tour was skipped: a tour that cannot run
(no HTTP server, no Chrome) must stop the test command, not pass it.

usage: python tools/test_counts.py REPORT.xml
"""

import sys
import xml.etree.ElementTree as ET

# Tests that must run whenever the suite runs.
NEVER_SKIPPED = ("test_ui_tours",)


def main(path):
    cases = ET.parse(path).getroot().iter("testcase")
    ran = skipped = failed = 0
    forbidden = []
    for case in cases:
        skip = case.find("skipped")
        if skip is not None:
            skipped += 1
            name = f"{case.get('classname')}.{case.get('name')}"
            reason = skip.get("message", "")
            print(f"skipped: {name}: {reason}")
            if any(part in name for part in NEVER_SKIPPED):
                forbidden.append(name)
            continue
        ran += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
    print(f"Module tests: {ran} run, {skipped} skipped, {failed} failed")
    if forbidden:
        print(
            "ERROR: browser tours were skipped, so the browser flows were not "
            "tested: " + ", ".join(forbidden) + ". Run with --odoo-http and "
            "Chromium installed.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
