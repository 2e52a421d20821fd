"""Loading Odoo for the benchmark scripts of this folder."""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

MODULE = "crm_customer_ownership"


def load_odoo(db):
    """Import Odoo from ODOO_SRC (default /opt/odoo/18.0) and configure it for
    ``db`` with this checkout as the module's source; return the odoo package."""
    odoo_src = os.environ.get("ODOO_SRC", "/opt/odoo/18.0")
    sys.path.insert(0, odoo_src)
    # Odoo is only importable once ODOO_SRC is on the path.
    import odoo

    # Odoo finds an addon by its folder name; the checkout may be named anything.
    addons = tempfile.mkdtemp(prefix="bench_addons_")
    atexit.register(shutil.rmtree, addons, ignore_errors=True)
    os.symlink(Path(__file__).resolve().parent.parent, Path(addons, MODULE))
    odoo.tools.config.parse_config(
        [
            f"--addons-path={odoo_src}/odoo/addons,{odoo_src}/addons,{addons}",
            f"--database={db}",
            "--log-level=warn",
        ]
    )
    return odoo
