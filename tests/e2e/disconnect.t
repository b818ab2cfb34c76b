#!/bin/bash
# disconnect.t - after the client disconnects, no process of the
# connection (the watch included) and no TCP connection to sshd remain
# within 2 seconds.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent setpriv ss

e2e_setup
e2e_pam "$E2E_MODULE"
e2e_sshd_start
tap_plan 4

ready() { grep -q ready "$1" 2>/dev/null; }
all_gone() {
	[ -z "$(e2e_alice_pids)" ] && [ -z "$(e2e_sshd_children)" ] &&
		[ -z "$(e2e_tcp_conns)" ]
}
report() {
	tap_diag "$1: gone after $2 ms; alice's processes: $(e2e_alice_pids | tr '\n' ' ')sshd children: $(e2e_sshd_children | tr '\n' ' ')tcp: $(e2e_tcp_conns | tr '\n' ' ')"
}

# case NAME SSH-ARGS...: a connection that stays until its client is
# killed with SIGTERM (the client closes the TCP connection).
case_kill() {
	local name=$1 c t0 st=0 watch
	shift
	# The remote command runs until its stdin ends, that is until the
	# connection does (a plain "sleep" would outlive it, as it does
	# without a pty under any sshd).
	e2e_sshx A "$@" e2e "echo ready; exec cat >/dev/null" <"$E2E_HOLD" >"$E2E_DIR/c.out" 2>&1 &
	c=$!
	e2e_wait 10 ready "$E2E_DIR/c.out" || e2e_die "$name: login did not start"
	watch=$(e2e_watch_pids | tr '\n' ' ')
	tap_diag "$name: connected; sshd processes $(e2e_client_sshd_pids "$c" | tr '\n' ' ')watch: ${watch:-none}"
	t0=$(e2e_ms)
	kill "$c"
	wait "$c" 2>/dev/null || true
	e2e_wait 2 all_gone || st=1
	report "$name" $(($(e2e_ms) - t0))
	tap_ok "$st" "$name: no process of the connection and no TCP connection to sshd within 2 s"
}

case_kill "forwarded agent, client killed" -A
case_kill "no forwarding (watch still waiting), client killed"
case_kill "forwarded agent on a pty, client killed" -A -tt

st=0
e2e_ssh A -A e2e true </dev/null
t0=$(e2e_ms)
e2e_wait 2 all_gone || st=1
report "forwarded agent, command ended" $(($(e2e_ms) - t0))
tap_ok "$st" "forwarded agent, command ended: nothing of the connection within 2 s"
tap_exit
