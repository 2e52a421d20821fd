#!/usr/bin/env bash
# Starts Odoo on http://localhost:${HTTP_PORT:-8069} with the module installed on
# a demo database (login admin / admin). Extra arguments go to odoo-bin.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_all

# One demo database per series (crm_customer_ownership_demo on 18.0,
# crm_customer_ownership_demo_19 on 19.0): a database follows its series.
if [ "$ODOO_SERIES" = 18.0 ]; then
    DEMO_DB=${DEMO_DB:-${MODULE}_demo}
else
    DEMO_DB=${DEMO_DB:-${MODULE}_demo_${ODOO_SERIES%%.*}}
fi
HTTP_PORT=${HTTP_PORT:-8069}
CONF="$CACHE_DIR/$DEMO_DB.conf"
write_odoo_config "$DEMO_DB" "$CONF"
export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"

if psql -d "$DEMO_DB" -tAc \
    "SELECT 1 FROM ir_module_module WHERE name='$MODULE' AND state='installed'" 2>/dev/null | grep -q 1; then
    log "updating $MODULE on $DEMO_DB"
    "$PYTHON" "$ODOO_SRC/odoo-bin" -c "$CONF" -u "$MODULE" --stop-after-init --log-level=warn \
        || die "updating $MODULE failed"
    check_module_installed "$DEMO_DB"
else
    log "creating $DEMO_DB with demo data and $MODULE"
    dropdb --if-exists "$DEMO_DB"
    "$PYTHON" "$ODOO_SRC/odoo-bin" -c "$CONF" -i "$MODULE" "${WITH_DEMO[@]}" --stop-after-init --log-level=warn \
        || die "installing $MODULE failed"
    check_module_installed "$DEMO_DB" with-demo
fi
log "serving http://localhost:$HTTP_PORT (admin / admin)"
exec "$PYTHON" "$ODOO_SRC/odoo-bin" -c "$CONF" --http-port "$HTTP_PORT" "$@"
