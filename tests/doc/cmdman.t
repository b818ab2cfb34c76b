#!/bin/bash
# cmdman.t - agentlink(1) formats without a warning from man/groff, and
# documents what the command does: every command and option of its usage,
# every key of status --json (taken from status.c), every exit status;
# pam_agentlink(8) names policy=interactive and agentlink(1).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v man >/dev/null || { echo "1..0 # SKIP man (man-db) not installed"; exit 0; }
page=$top/pam_agentlink/cmd/agentlink.1
src=$top/pam_agentlink/cmd
echo "1..5"
n=0
tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; [ -z "${3:-}" ] || printf '# %s\n' "$3"; fi
}
warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) && rc=0 || rc=$?
[ "$rc" = 0 ] && [ -z "$warn" ]
tap $? "man --warnings agentlink.1: no warnings" "rc $rc: $warn"

# Text as man renders it, with hyphens plain.
text=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$page" 2>/dev/null | sed 's/‐/-/g')
missing=
for w in status relink doctor --json --probe= --debug --help --version; do
	grep -qF -- "$w" <<<"$text" || missing="$missing $w"
done
[ -z "$missing" ]
tap $? "every command and option of the usage is documented" "missing:$missing"

# The keys status --json prints, from the code that prints them.
keys=$({ grep -oE 'json_kv\(f, "[a-z_]+"' "$src/status.c" | cut -d'"' -f2
	grep -oE '\\"[a-z_]+\\": ' "$src/status.c" | tr -d '\\' | cut -d'"' -f2; } | sort -u)
missing=
for k in $keys; do
	grep -qE "(^|[^a-z_])$k([^a-z_]|$)" <<<"$(sed -n '/^JSON FORMAT/,/^EXIT STATUS/p' <<<"$text")" ||
		missing="$missing $k"
done
[ -n "$keys" ] && [ -z "$missing" ]
tap $? "every key status --json prints ($(wc -w <<<"$keys") of them) is in JSON FORMAT" "missing:$missing"

# Every state word view.c and status.c can print is explained.
missing=
for w in answering accepting hung dead answered "no answer" "bad reply" refused busy "not asked" \
	symlink missing other unsafe keep link remove none refuse undecided; do
	grep -qF -- "$w" <<<"$(sed -n '/^JSON FORMAT/,/^EXIT STATUS/p' <<<"$text")" || missing="$missing '$w'"
done
[ -z "$missing" ]
tap $? "every state, detail and action word of the JSON form is explained" "missing:$missing"

man8=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$top/pam_agentlink/module/pam_agentlink.8" 2>/dev/null | sed 's/‐/-/g')
grep -q "policy=keep|newest|interactive" <<<"$man8" && grep -q "agentlink(1)" <<<"$man8"
tap $? "pam_agentlink(8) documents policy=interactive and points to agentlink(1)"
