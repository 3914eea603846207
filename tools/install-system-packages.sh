#!/usr/bin/env bash
# Ensures the system (Debian) packages the test suite needs are present.
#
# Idempotent: when everything is already installed it installs nothing and prints one line
# per requirement saying what it found. Missing packages are installed with one apt-get call,
# as root or through sudo.
#
# To add a requirement, write a `have_<thing>` function that prints where the thing is (and
# returns non-zero when it is missing), then add one `require` line at the bottom.
set -euo pipefail

# PostgreSQL server binaries: the integration tests start throwaway servers with initdb and
# pg_ctl (tests/support/postgres.py). Debian keeps them in /usr/lib/postgresql/<version>/bin,
# off PATH; a PATH entry (for instance a symlink) wins, as in find_pg_bindir().
have_postgres() {
    local pg_ctl dir
    if pg_ctl=$(command -v pg_ctl) && command -v initdb >/dev/null; then
        dir=$(dirname "$(readlink -f "$pg_ctl")")
        if [[ -x $dir/initdb && -x $dir/postgres ]]; then
            echo "$dir"
            return 0
        fi
    fi
    while IFS= read -r dir; do
        if [[ -x $dir/pg_ctl && -x $dir/initdb && -x $dir/postgres ]]; then
            echo "$dir"
            return 0
        fi
    done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -t/ -k5,5Vr)
    return 1
}

# Chromium for the browser tests (tests/support/browser.py): Debian's own package, driven by
# Playwright; no browser is ever downloaded by a test tool. Node.js and npm install axe-core.
have_chromium() {
    local path
    path=$(command -v chromium) || return 1
    "$path" --version 2>/dev/null | head -n 1 || return 1
}

have_npm() { command -v npm; }

# Pango, which WeasyPrint (the PDF summaries) lays text out with.
have_pango() { ldconfig -p 2>/dev/null | grep -o '/[^ ]*libpangoft2-1.0.so.0$' | head -n 1 | grep .; }

# Fonts for the PDF summaries (WeasyPrint) and the pages in Chromium.
have_fonts() { fc-list 2>/dev/null | grep -q -i dejavu && echo "DejaVu fonts"; }

# ---------------------------------------------------------------------------------------------

labels=() checks=() packages=() missing=()

# require LABEL CHECK-FUNCTION DEBIAN-PACKAGE
require() {
    labels+=("$1") checks+=("$2") packages+=("$3")
    if ! "$2" >/dev/null; then
        missing+=("$3")
    fi
}

install_missing() {
    local -a as_root
    if [[ $(id -u) -eq 0 ]]; then
        as_root=()
    elif command -v sudo >/dev/null; then
        as_root=(sudo)
    else
        echo "install-system-packages: missing Debian packages: ${missing[*]}" >&2
        echo "install-system-packages: installing them needs root, and sudo is not available;" \
             "run this script as root or install them yourself." >&2
        exit 1
    fi
    if ! command -v apt-get >/dev/null; then
        echo "install-system-packages: missing packages: ${missing[*]}," \
             "and apt-get is not available (this script knows Debian and Ubuntu only)." >&2
        exit 1
    fi
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

report() {
    local i where
    for i in "${!labels[@]}"; do
        if ! where=$("${checks[$i]}"); then
            echo "install-system-packages: ${labels[$i]} still missing after installing" \
                 "Debian package '${packages[$i]}'" >&2
            exit 1
        fi
        if [[ " ${missing[*]} " == *" ${packages[$i]} "* ]]; then
            echo "${labels[$i]}: installed Debian package '${packages[$i]}' ($where)"
        else
            echo "${labels[$i]}: found $where"
        fi
    done
}

require "PostgreSQL server" have_postgres postgresql
require "Chromium" have_chromium chromium
require "npm" have_npm npm
require "Pango (for WeasyPrint)" have_pango libpangoft2-1.0-0
require "Fonts" have_fonts fonts-dejavu-core

if ((${#missing[@]})); then
    install_missing
fi
report
