#!/bin/bash
# bench.sh - "make bench": runs tests/bench/agentbench inside tests/lib/ns-run,
# with the end-to-end suite's private sshd for the whole-login figures.
# Knobs (environment): BENCH_ROUNDS (2000), BENCH_RC_EVERY (5),
# BENCH_HUNG_EVERY (100), BENCH_HEAL (1000), BENCH_HUNG (50),
# BENCH_HUNG_PROBE (300), BENCH_HUNG_DEFAULT (5), BENCH_SCALE (300),
# BENCH_SPLIT (200), BENCH_SYSCALLS (20: transactions of each case counted
# under strace; without strace installed the counts say "not measured"),
# BENCH_LOGINS (100; 0 skips them).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$top/tests/lib/ns-run" "$here/bench.sh" "$@"

module=$top/tests/build/pam_agentlink.so
[ -f "$module" ] || { echo "bench: $module not built" >&2; exit 1; }
logins=${BENCH_LOGINS:-100}
login_args=()
login_note=""
if [ "$logins" -gt 0 ]; then
	if [ -f "$top/tests/e2e/lib.sh" ] && [ -x /usr/sbin/sshd ] &&
	   command -v ssh >/dev/null && command -v ssh-agent >/dev/null; then
		# shellcheck source=../e2e/lib.sh
		. "$top/tests/e2e/lib.sh"
		e2e_setup >/dev/null
		bdir=/run/agentlink-bench
		mkdir -p "$bdir"
		e2e_pam "$E2E_MODULE"
		cp "$E2E_PAM" "$bdir/pam-with"
		e2e_pam_plain
		cp "$E2E_PAM" "$bdir/pam-without"
		e2e_sshd_start
		# One login proves the set-up before the loops time anything.
		e2e_ssh A -A e2e true </dev/null ||
			{ echo "bench: ssh to the private sshd fails" >&2; exit 1; }
		login_args=(--login "$logins" "$E2E_PAM" "$bdir/pam-with"
			    "$bdir/pam-without" "$(e2e_agent_sock A)"
			    "$E2E_DIR/ssh_config" e2e)
	else
		login_note="(whole login not measured: needs tests/e2e/lib.sh, sshd, ssh, ssh-agent)"
	fi
fi

echo "pam_agentlink benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
	"kernel $(uname -r), Debian $(cat /etc/debian_version 2>/dev/null || echo '?')," \
	"$(/usr/sbin/sshd -V 2>&1 | head -1 || true)"
[ -z "$login_note" ] || echo "$login_note"
echo
st=0
"$here/agentbench" "$module" --rounds "${BENCH_ROUNDS:-2000}" \
	--rc-every "${BENCH_RC_EVERY:-5}" --hung-every "${BENCH_HUNG_EVERY:-100}" \
	--heal "${BENCH_HEAL:-1000}" --hung "${BENCH_HUNG:-50}" \
	--hung-probe "${BENCH_HUNG_PROBE:-300}" \
	--hung-default "${BENCH_HUNG_DEFAULT:-100}" \
	--scale "${BENCH_SCALE:-300}" --split "${BENCH_SPLIT:-200}" \
	--syscalls "${BENCH_SYSCALLS:-20}" \
	${BENCH_HEAL_DELAY:+--heal-delay "$BENCH_HEAL_DELAY"} \
	"${login_args[@]}" || st=$?
exit "$st"
