#!/bin/sh
# bootstrap.sh check|demo|bench - install the Debian packages listed in
# tests/deps/*.list that are missing (as root, with apt-get), then run
# "make check", "make demo" or "make bench".  This is the README's command
# for a fresh Debian or Ubuntu machine.
set -eu
cd "$(dirname "$0")/.."
target=${1:-check}
case "$target" in check|demo|bench) ;; *) echo "usage: $0 check|demo|bench" >&2; exit 2;; esac

missing=""
for p in $(grep -hv '^#' tests/deps/*.list | sort -u); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "missing Debian packages:$missing (run as root to install them)" >&2
		exit 1
	fi
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
exec make "$target"
