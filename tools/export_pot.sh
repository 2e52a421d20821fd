#!/usr/bin/env bash
# Regenerates i18n/crm_customer_ownership.pot from the code, on the demo database.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_all
DEMO_DB=${DEMO_DB:-${MODULE}_demo}
CONF="$CACHE_DIR/$DEMO_DB.conf"
write_odoo_config "$DEMO_DB" "$CONF"
export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"
"$PYTHON" "$ODOO_SRC/odoo-bin" -c "$CONF" -u "$MODULE" --stop-after-init --log-level=warn
"$PYTHON" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$DEMO_DB" --modules="$MODULE" --log-level=warn \
    --i18n-export="$REPO_DIR/i18n/$MODULE.pot" --stop-after-init
