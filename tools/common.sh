# Shared set-up for tools/run_demo.sh and tools/run_tests.sh (sourced, not run).
# Every step is idempotent: re-running only does what is missing.
set -euo pipefail

MODULE=crm_customer_ownership
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_SRC=${ODOO_SRC:-/opt/odoo/18.0}
ODOO_BRANCH=18.0
CACHE_DIR=${CRM_OWNERSHIP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/$MODULE}
PG_PORT=${PGPORT:-5432}
PG_USER=${PGUSER:-$(id -un)}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

log() { printf '[%s] %s\n' "$MODULE" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

ensure_odoo_source() {
    if [ -f "$ODOO_SRC/odoo-bin" ]; then
        return
    fi
    log "Odoo source not found at $ODOO_SRC; trying a shallow clone of Odoo $ODOO_BRANCH"
    mkdir -p "$(dirname "$ODOO_SRC")"
    if ! git clone --depth 1 -b "$ODOO_BRANCH" https://github.com/odoo/odoo.git "$ODOO_SRC"; then
        die "could not get the Odoo $ODOO_BRANCH source. Clone it yourself with
    git clone --depth 1 -b $ODOO_BRANCH https://github.com/odoo/odoo.git $ODOO_SRC
or point ODOO_SRC at an existing Odoo $ODOO_BRANCH checkout, then run this command again."
    fi
}

# The virtualenv is keyed by the requirements it was built from, so a change
# of Odoo source or of our pins builds a new one and an unchanged set-up
# reuses it.
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
