# Shared set-up for tools/run_demo.sh and tools/run_tests.sh (sourced, not run).
# Every step is idempotent: re-running only does what is missing.
set -euo pipefail

MODULE=crm_customer_ownership
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The series (18.0, 19.0) is the source's own: ODOO_SRC, or else ODOO_SERIES
# naming where the source lives by default (/opt/odoo/<series>).
SUPPORTED_SERIES="18.0 19.0"
ODOO_SRC=${ODOO_SRC:-/opt/odoo/${ODOO_SERIES:-18.0}}
CACHE_DIR=${CRM_OWNERSHIP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/$MODULE}
PG_PORT=${PGPORT:-5432}
PG_USER=${PGUSER:-$(id -un)}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

log() { printf '[%s] %s\n' "$MODULE" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The series of the source at ODOO_SRC, from odoo/release.py's version_info.
odoo_source_series() {
    python3 - "$ODOO_SRC/odoo/release.py" <<'PY'
import ast, sys
tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())
for node in tree.body:
    if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "version_info" for t in node.targets):
        major, minor = (ast.literal_eval(e) for e in node.value.elts[:2])
        print(f"{major}.{minor}")
PY
}

# Sets ODOO_SERIES from the source and refuses a series the module does not
# support, or one that contradicts an ODOO_SERIES given by the caller.
check_odoo_series() {
    local found
    found=$(odoo_source_series) || die "cannot read the Odoo version from $ODOO_SRC/odoo/release.py"
    if [ -n "${ODOO_SERIES:-}" ] && [ "$ODOO_SERIES" != "$found" ]; then
        die "ODOO_SERIES is $ODOO_SERIES but the source at $ODOO_SRC is Odoo $found"
    fi
    case " $SUPPORTED_SERIES " in
    *" $found "*) ;;
    *) die "Odoo $found at $ODOO_SRC is not supported (supported: $SUPPORTED_SERIES)" ;;
    esac
    ODOO_SERIES=$found
    export ODOO_SERIES
    # Odoo 19 installs without demo data unless told; 18 with it.
    if [ "$ODOO_SERIES" = 18.0 ]; then WITH_DEMO=(); else WITH_DEMO=(--with-demo); fi
    log "Odoo $ODOO_SERIES from $ODOO_SRC"
}

# Fails unless MODULE is installed on the database: odoo-bin exits 0 when it
# skips a module (one not installable on this series) or its demo data.
check_module_installed() {
    local db=$1 state demo
    state=$(psql -d "$db" -tAc "SELECT state FROM ir_module_module WHERE name='$MODULE'" 2>/dev/null || true)
    [ "$state" = installed ] \
        || die "$MODULE is not installed on $db (state: ${state:-absent}); see odoo-bin's log above"
    if [ "${2:-}" = with-demo ]; then
        demo=$(psql -d "$db" -tAc "SELECT demo FROM ir_module_module WHERE name='$MODULE'")
        [ "$demo" = t ] || die "$MODULE is installed on $db without its demo data"
    fi
}

ensure_odoo_source() {
    local branch=${ODOO_SERIES:-18.0}
    if [ ! -f "$ODOO_SRC/odoo-bin" ]; then
        log "Odoo source not found at $ODOO_SRC; trying a shallow clone of Odoo $branch"
        mkdir -p "$(dirname "$ODOO_SRC")"
        if ! git clone --depth 1 -b "$branch" https://github.com/odoo/odoo.git "$ODOO_SRC"; then
            die "could not get the Odoo $branch source. Clone it yourself with
    git clone --depth 1 -b $branch https://github.com/odoo/odoo.git $ODOO_SRC
or point ODOO_SRC at an existing Odoo checkout (supported: $SUPPORTED_SERIES), then run this command again."
        fi
    fi
    check_odoo_series
}

# The virtualenv is keyed by the requirements it was built from, so each
# series (whose requirements differ) has its own, a change of Odoo source or
# of our pins builds a new one and an unchanged set-up reuses it.
ensure_venv() {
    local reqs key
    mkdir -p "$CACHE_DIR"
    # One file per run: checkouts set up at the same time must not build a
    # virtualenv from each other's requirements.
    reqs="$CACHE_DIR/requirements-$$.txt"
    python3 "$REPO_DIR/tools/requirements_from_odoo.py" "$ODOO_SRC/requirements.txt" > "$reqs"
    cat "$REPO_DIR/tools/requirements-dev.txt" >> "$reqs"
    key=$(sha256sum "$reqs" | cut -c1-12)
    VENV="$CACHE_DIR/venv-$key"
    if [ ! -f "$VENV/.complete" ]; then
        log "building virtualenv $VENV"
        rm -rf "$VENV"
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --upgrade pip wheel >&2
        "$VENV/bin/pip" install --quiet -r "$reqs" >&2 || die "pip could not install Odoo's requirements"
        touch "$VENV/.complete"
    fi
    rm -f "$reqs"
    PYTHON="$VENV/bin/python"
    export PATH="$VENV/bin:$PATH"
}

ensure_postgres() {
    local version
    command -v pg_lsclusters >/dev/null || die "PostgreSQL is not installed (apt-get install postgresql)"
    version=$(ls /usr/lib/postgresql | sort -n | tail -1)
    [ -n "$version" ] || die "no PostgreSQL server found under /usr/lib/postgresql"
    if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
        log "creating PostgreSQL $version cluster"
        as_postgres pg_createcluster "$version" main >&2
    fi
    if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
        log "starting PostgreSQL $version"
        as_postgres pg_ctlcluster "$version" main start || die "PostgreSQL $version did not start"
    fi
    for _ in $(seq 1 30); do
        pg_isready -q -p "$PG_PORT" && break
        sleep 1
    done
    pg_isready -q -p "$PG_PORT" || die "PostgreSQL is not accepting connections on port $PG_PORT"
    # Odoo refuses the 'postgres' superuser; a role named after the OS user
    # connects through the local socket without a password.
    [ "$PG_USER" != postgres ] || die "run as a user other than 'postgres'"
    if ! as_postgres psql -p "$PG_PORT" -tAc "SELECT 1 FROM pg_roles WHERE rolname='$PG_USER'" | grep -q 1; then
        log "creating database role $PG_USER"
        as_postgres createuser -p "$PG_PORT" --createdb "$PG_USER"
    fi
    export PGPORT="$PG_PORT" PGUSER="$PG_USER"
}

# Odoo finds an addon by its folder name; the checkout may be named anything,
# so a folder named after the module points at it (one per checkout, so two
# checkouts on one machine do not test each other's code).
ensure_addons_dir() {
    ADDONS_DIR="$CACHE_DIR/addons-$(printf '%s' "$REPO_DIR" | sha256sum | cut -c1-8)"
    mkdir -p "$ADDONS_DIR"
    ln -sfn "$REPO_DIR" "$ADDONS_DIR/$MODULE"
    MODULE_DIR="$ADDONS_DIR/$MODULE"
}

write_odoo_config() {
    local db=$1 conf=$2
    cat > "$conf" <<CONF
[options]
addons_path = $ODOO_SRC/odoo/addons,$ODOO_SRC/addons,$ADDONS_DIR
data_dir = $CACHE_DIR/data
db_name = $db
db_user = $PG_USER
db_port = $PG_PORT
dbfilter = ^$db\$
list_db = False
http_interface = 127.0.0.1
CONF
}

# The browser tours (HttpCase.start_tour) need Chromium; Odoo looks for a
# `chromium` or `google-chrome` executable on the PATH and silently skips the
# tours without one, so a missing browser must stop the run instead.
ensure_chromium() {
    local bin
    for bin in chromium google-chrome chromium-browser google-chrome-stable; do
        command -v "$bin" >/dev/null && return
    done
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing Chromium for the browser tours (apt-get install chromium)"
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 \
            || die "apt-get could not install chromium"
        command -v chromium >/dev/null || die "chromium is still not on the PATH after apt-get install"
        return
    fi
    die "Chromium is needed for the browser tours and is not installed. On Debian or Ubuntu, as root:
    apt-get update && apt-get install -y chromium
(or put a chromium / google-chrome executable on the PATH), then run this command again."
}

setup_all() {
    ensure_odoo_source
    ensure_venv
    ensure_postgres
    ensure_addons_dir
}
