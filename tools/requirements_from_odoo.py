"""Print Odoo's Python requirements as pip lines for this machine.

Odoo 18 pins, for Python 3.11, versions that have no wheel on current
platforms; the pins it gives Python 3.12 install cleanly on 3.11 too.
python-ldap is left out: it needs system headers and nothing here uses it.
"""

import sys

from pip._vendor.packaging.markers import default_environment
from pip._vendor.packaging.requirements import Requirement

SKIPPED = {"python-ldap"}


def main(path):
    env = default_environment()
    env.update(python_version="3.12", python_full_version="3.12.0")
    with open(path, encoding="utf-8") as requirements:
        lines = requirements.read().splitlines()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        if req.name.lower() in SKIPPED:
            continue
        if req.marker is None or req.marker.evaluate(env):
            req.marker = None
            print(req)


if __name__ == "__main__":
    main(sys.argv[1])
