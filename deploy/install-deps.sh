#!/bin/sh
# Installs the Debian 12 packages jixiao needs to build, test and run its tools.
# Safe to run again: it installs only what is missing and does nothing when nothing is.
set -eu

# Add packages here, separated by spaces.
PACKAGES="build-essential cmake pkg-config clang libprotobuf-c-dev protobuf-c-compiler
libnng-dev liblmdb-dev lmdb-utils libsodium-dev libcmocka-dev libxlsxwriter-dev unzip
libreoffice-calc-nogui chromium openssl libzip-dev libexpat1-dev poppler-utils"

export DEBIAN_FRONTEND=noninteractive

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	echo "install-deps: all packages are installed"
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
