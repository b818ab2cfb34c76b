#!/bin/bash
# The manual page formats without a single warning from man/groff.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v man >/dev/null || { echo "1..0 # SKIP man (man-db) not installed"; exit 0; }
echo "1..2"
page=$top/pam_agentlink/module/pam_agentlink.8
warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) && rc=0 || rc=$?
if [ "$rc" = 0 ] && [ -z "$warn" ]; then echo "ok 1 - man --warnings: no warnings"
else echo "not ok 1 - man --warnings: rc $rc"; printf '# %s\n' "$warn"; fi
# Every option of cfg.c is documented in OPTIONS.
missing=
for o in link= env= policy= wait= probe= agentsocketpath= cleanup= services= debug conf=; do
	grep -q "^\.B[IR]* ${o%=}" "$page" || missing="$missing $o"
done
if [ -z "$missing" ]; then echo "ok 2 - every option is in OPTIONS"
else echo "not ok 2 - options missing from the page:$missing"; fi
