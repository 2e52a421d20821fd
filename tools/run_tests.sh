#!/usr/bin/env bash
# The whole test suite: linters, then the module's tests with pytest-odoo on a
# fresh database that is dropped at the end. Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_all
ensure_chromium

log "linting (Odoo $ODOO_SERIES)"
(cd "$REPO_DIR" && ruff check . && ruff format --check .) || die "ruff found problems"
(cd "$ADDONS_DIR" && pylint --rcfile="$REPO_DIR/.pylintrc" "$MODULE") || die "pylint-odoo found problems"

# pre-commit runs the same linters: their pins must not drift apart.
for pin in $(grep -E '^(ruff|pylint-odoo)==' "$REPO_DIR/tools/requirements-dev.txt"); do
    grep -q "\"$pin\"" "$REPO_DIR/.pre-commit-config.yaml" \
        || die ".pre-commit-config.yaml does not pin $pin as tools/requirements-dev.txt does"
done

# The add-on as the OCA publishes it: a wheel built with whool. whool names
# the package after the add-on's folder and versions it from git, so the
# wheel is built from a clone (the committed state) in a folder named after
# the module, and installed into a throwaway target: installed into the venv
# it would shadow the checkout that the tests run from the addons path.
# The manifest's version names no series, so whool is told the series under
# test: one wheel per series (odoo-addon-... 18.0.x or 19.0.x).
# The wheel holds the add-on only: the files .gitattributes marks
# export-ignore (bench/, tools/, .ci/, linter configs) leave the clone's
# index, which is all whool packages.
log "building and installing the wheel for Odoo $ODOO_SERIES"
WHEEL_TMP=$(mktemp -d)
git clone --quiet "$REPO_DIR" "$WHEEL_TMP/$MODULE"
(cd "$WHEEL_TMP/$MODULE" && git ls-files -z -- ':(attr:export-ignore)' \
    | xargs -0 -r git rm --quiet --cached --) || die "dropping the development files failed"
printf '\n[tool.whool]\nodoo_series_override = "%s"\n' "$ODOO_SERIES" >> "$WHEEL_TMP/$MODULE/pyproject.toml"
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$WHEEL_TMP/dist" "$WHEEL_TMP/$MODULE" \
    || die "building the wheel with whool failed"
"$PYTHON" -m pip install --quiet --no-deps --target "$WHEEL_TMP/site" "$WHEEL_TMP"/dist/odoo_addon_${MODULE}-*.whl \
    || die "installing the wheel failed"
[ -f "$WHEEL_TMP/site/odoo/addons/$MODULE/__manifest__.py" ] \
    || die "the wheel does not contain odoo/addons/$MODULE"
grep -q "^Requires-Dist: odoo==$ODOO_SERIES\.\*" "$WHEEL_TMP"/site/odoo_addon_"$MODULE"-*.dist-info/METADATA \
    || die "the wheel does not require Odoo $ODOO_SERIES"
for dev in bench tools .ci; do
    [ ! -e "$WHEEL_TMP/site/odoo/addons/$MODULE/$dev" ] || die "the wheel holds $dev/"
done
log "wheel OK: $(basename "$WHEEL_TMP"/dist/*.whl)"
rm -rf "$WHEEL_TMP"

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
"$PYTHON" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$TEST_DB" -i "$MODULE" "${WITH_DEMO[@]}" \
    --stop-after-init --log-level=warn || die "installing $MODULE failed"
check_module_installed "$TEST_DB" with-demo

log "running tests"
cd "$MODULE_DIR"
# The path is given through the symlink so pytest-odoo sees the module name.
# --odoo-http starts Odoo's HTTP server (on a free port pytest-odoo picks) for
# the browser tours of tests/test_ui_tours.py; without it they are skipped.
# The JUnit report gives the counts of tests run and skipped; a skipped
# browser tour fails the command (tools/test_counts.py).
JUNIT="$CACHE_DIR/$TEST_DB-junit.xml"
status=0
"$PYTHON" -m pytest -p no:cacheprovider --odoo-config="$CONF" --odoo-database="$TEST_DB" \
    --odoo-http --junitxml="$JUNIT" "$MODULE_DIR/tests" "$@" || status=$?
"$PYTHON" "$REPO_DIR/tools/test_counts.py" "$JUNIT" || status=1
rm -f "$JUNIT"
[ "$status" = 0 ] || die "the module's tests failed or a browser tour could not run"

# Odoo's own crm tests must still pass with the module installed. The two
# browser-tour files need pytest-odoo's HTTP server and are left out.
log "running Odoo's crm tests with $MODULE installed"
"$PYTHON" -m pytest -p no:cacheprovider --odoo-config="$CONF" --odoo-database="$TEST_DB" \
    "$ODOO_SRC/addons/crm/tests" \
    --ignore="$ODOO_SRC/addons/crm/tests/test_crm_ui.py" \
    --ignore="$ODOO_SRC/addons/crm/tests/test_sales_team_ui.py"
