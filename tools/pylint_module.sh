#!/usr/bin/env bash
# pylint-odoo on the module, reached through a folder named after it: the
# checkout may be named otherwise (a worktree), and pylint-odoo reads the
# module's name from its folder.
set -euo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LINK_DIR=$(mktemp -d)
trap 'rm -rf "$LINK_DIR"' EXIT
ln -s "$REPO_DIR" "$LINK_DIR/crm_customer_ownership"
cd "$LINK_DIR"
pylint --rcfile="$REPO_DIR/.pylintrc" crm_customer_ownership
