#!/bin/bash
# noforward.t - a login without agent forwarding creates no link, leaves no
# watch process behind once it ends, and costs about what a login without
# the module costs (reported, not asserted: speed is measured in make bench).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent setpriv ss

e2e_setup
e2e_pam "$E2E_MODULE"
e2e_sshd_start
tap_plan 4
N=10

ready() { grep -q ready "$1" 2>/dev/null; }
no_watch() { [ -z "$(e2e_watch_pids)" ]; }

# logins: N logins without -A running "true"; prints the logins in ms.
logins() {
	local i t0
	for i in $(seq 1 "$N"); do
		t0=$(e2e_ms)
		e2e_ssh A e2e true </dev/null || echo "login $i failed" >&2
		echo $(($(e2e_ms) - t0))
	done
}
stats() { sort -n | awk '{ a[NR] = $1; s += $1 } END { printf "median %d ms, mean %d ms, min %d, max %d", a[int((NR + 1) / 2)], s / NR, a[1], a[NR] }'; }

# A login that stays: is there a watch while it lasts, and after?
e2e_sshx A e2e "echo ready; exec sleep 600" </dev/null >"$E2E_DIR/c1.out" 2>&1 &
c1=$!
e2e_wait 10 ready "$E2E_DIR/c1.out" || e2e_die "login did not start"
during=$(e2e_watch_pids | tr '\n' ' ')
tap_diag "while the login without -A lasts, watch processes: ${during:-none}"
tap_check "a login without -A creates no link" test ! -L "$E2E_LINK"
t0=$(e2e_ms)
kill "$c1"
wait "$c1" 2>/dev/null || true
e2e_wait 2 no_watch || true
tap_diag "watch gone $(($(e2e_ms) - t0)) ms after the client went away; left: $(e2e_watch_pids | tr '\n' ' ')"
tap_check "no watch process is left within 2 s after the connection ended" no_watch

with=$(logins)
e2e_wait 2 no_watch || true
tap_check "after $N short logins without -A: no link and no watch process" \
	eval '[ ! -L "$E2E_LINK" ] && no_watch'
e2e_pam_plain
without=$(logins)
e2e_pam "$E2E_MODULE"
tap_diag "login+logout without -A, with the module:    $(stats <<<"$with")"
tap_diag "login+logout without -A, without the module: $(stats <<<"$without")"
tap_check "all $((2 * N)) timed logins succeeded" \
	test "$(printf "%s\n%s\n" "$with" "$without" | grep -c .)" = $((2 * N))
tap_exit
