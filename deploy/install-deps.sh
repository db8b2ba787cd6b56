#!/bin/sh
# Installs the Debian 12 packages jixiao needs to build, test and run its tools.
# Safe to run again: it installs only what is missing and does nothing when nothing is.
set -eu

# Add packages here, separated by spaces.
PACKAGES="build-essential cmake pkg-config clang libprotobuf-c-dev protobuf-c-compiler
libnng-dev liblmdb-dev lmdb-utils libsodium-dev libcmocka-dev libxlsxwriter-dev unzip
libreoffice-calc-nogui chromium openssl chromium-driver python3-selenium
fonts-wqy-microhei libzip-dev libexpat1-dev poppler-utils libclang-rt-14-dev"

export DEBIAN_FRONTEND=noninteractive

# The web app's npm packages, exactly as client/web/package-lock.json says (no scripts
# run), into client/web/node_modules; again only when the lockfile changed since.
web_deps() {
	web="$(cd "$(dirname "$0")/.." && pwd)/client/web"
	# Not there yet (a container build copies this script first): nothing to install.
	[ -f "$web/package-lock.json" ] || return 0
	if [ -f "$web/node_modules/.package-lock.json" ] &&
	    [ ! "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
		return 0
	fi
	echo "install-deps: npm ci in client/web"
	(cd "$web" && npm ci --ignore-scripts --no-audit --no-fund)
}

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

# npm, for the web app's packages: Debian's, unless a Node.js that brings its own is there.
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"

if [ -z "$missing" ]; then
	echo "install-deps: all packages are installed"
	web_deps
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	as_root=""
elif command -v sudo >/dev/null 2>&1; then
	as_root="sudo DEBIAN_FRONTEND=noninteractive"
else
	echo "install-deps: these packages are missing:$missing" >&2
	echo "install-deps: installing them needs root; run this script as root or install sudo." >&2
	exit 1
fi

echo "install-deps: installing$missing"
$as_root apt-get update
# $missing is a list of words on purpose.
# shellcheck disable=SC2086
$as_root apt-get install -y --no-install-recommends $missing
web_deps
