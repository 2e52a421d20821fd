#!/usr/bin/env bash
# The whole test suite: linters, then the module's tests with pytest-odoo on a
# fresh database that is dropped at the end. Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_all
ensure_chromium

log "linting"
(cd "$REPO_DIR" && ruff check . && ruff format --check .) || die "ruff found problems"
(cd "$ADDONS_DIR" && pylint --rcfile="$REPO_DIR/.pylintrc" "$MODULE") || die "pylint-odoo found problems"

TEST_DB=${TEST_DB:-${MODULE}_test_$$}
CONF="$CACHE_DIR/$TEST_DB.conf"
write_odoo_config "$TEST_DB" "$CONF"
cleanup() {
    dropdb --if-exists "$TEST_DB" >/dev/null 2>&1 || true
    rm -rf "$CONF" "$CACHE_DIR/data/filestore/$TEST_DB"
}
trap cleanup EXIT
dropdb --if-exists "$TEST_DB"

log "installing $MODULE on $TEST_DB"
export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"
"$PYTHON" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$TEST_DB" -i "$MODULE" \
    --stop-after-init --log-level=warn || die "installing $MODULE failed"

log "running tests"
cd "$MODULE_DIR"
# The path is given through the symlink so pytest-odoo sees the module name.
# --odoo-http starts Odoo's HTTP server (on a free port pytest-odoo picks) for
# the browser tours of tests/test_ui_tours.py; without it they are skipped.
"$PYTHON" -m pytest -p no:cacheprovider --odoo-config="$CONF" --odoo-database="$TEST_DB" \
    --odoo-http "$MODULE_DIR/tests" "$@"

# Odoo's own crm tests must still pass with the module installed. The two
# browser-tour files need pytest-odoo's HTTP server and are left out.
log "running Odoo's crm tests with $MODULE installed"
"$PYTHON" -m pytest -p no:cacheprovider --odoo-config="$CONF" --odoo-database="$TEST_DB" \
    "$ODOO_SRC/addons/crm/tests" \
    --ignore="$ODOO_SRC/addons/crm/tests/test_crm_ui.py" \
    --ignore="$ODOO_SRC/addons/crm/tests/test_sales_team_ui.py"
