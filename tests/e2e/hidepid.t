#!/bin/bash
# hidepid.t - /proc mounted hidepid=2, as hardened hosts have it: the
# user's watch cannot read the root monitor's /proc entry.  It must still
# wait for the connection's socket (held by its pidfd), so that a reconnect
# heals a tmux pane of the last connection.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent tmux setpriv ss

e2e_setup
# This namespace's own /proc (ns-run mounts one): the host's is untouched.
mount -o remount,hidepid=2 /proc || e2e_die "cannot remount /proc with hidepid=2"
e2e_pam "$E2E_MODULE" debug
e2e_sshd_start
tap_plan 5

fpA=$(e2e_fp A)
fpB=$(e2e_fp B)
e2e_snippets
ready() { grep -q ready "$1" 2>/dev/null; }
link_is() { [ "$(e2e_link)" = "$1" ]; }
have_watch() { [ -n "$(e2e_watch_pids)" ]; }

# login NAME OUT CMD: a connection with NAME's agent forwarded, in the
# background ($conn its client); 0 once CMD said ready and a new
# forwarded socket is there.  A socket missing is a failure: the module
# once removed OpenSSH 10.6's new home socket between sshd's bind() and
# listen(), taking the hidden (not dumpable) sshd process for gone.
nsocks() { e2e_agent_socks | wc -l; }
login() {
	local name=$1 out=$2 cmd=$3 before
	before=$(nsocks)
	e2e_sshx "$name" -A e2e "$cmd" </dev/null >"$out" 2>&1 &
	conn=$!
	e2e_wait 10 ready "$out" || e2e_die "connection $name did not start: $(cat "$out")"
	e2e_wait 5 eval '[ "$(nsocks)" -gt "$before" ]' && return 0
	tap_diag "connection $name: no forwarded socket; client: $(tr '\n' ' ' <"$out")"
	tap_diag "$(e2e_syslog | tail -5)"
	return 1
}

# Connection A starts tmux; its socket comes after open_session.
login A "$E2E_DIR/c1.out" "tmux new-session -d -s work -x 100 -y 20 && echo ready; exec sleep 600" || true
c1=$conn
w=$(e2e_watch_pids | head -1)
# Root's processes (pid 1 here, sshd's monitor) are hidden from alice.
tap_check "alice cannot read root's /proc entries (hidepid=2 is in force)" \
	eval '! setpriv --reuid="$E2E_UID" --regid="$E2E_UID" --clear-groups cat /proc/1/stat >/dev/null 2>&1'
sock1=$(e2e_agent_socks | head -1)
e2e_wait 3 link_is "$sock1" || true
tap_diag "A's socket $sock1, link -> $(e2e_link), watch ${w:-none}"
tap_check "the watch links A's socket, which came after open_session" eval '[ -n "$sock1" ] && link_is "$sock1"'

kill "$c1"
wait "$c1" 2>/dev/null || true

# Reconnect with B; a command typed into the old pane right after it.
login B "$E2E_DIR/c2.out" "echo ready; exec sleep 600" || true
c2=$conn
after=$(e2e_pane_run tmux "timeout 5 ssh-add -l")
sock2=$(e2e_agent_socks | head -1)
tap_diag "old pane, right after B's login: $(tr '\n' ' ' <<<"$after") link -> $(e2e_link)"
tap_check "the old pane's first ssh-add -l after the reconnect lists B's key" \
	eval 'grep -q "$fpB" <<<"$after" && ! grep -q "$fpA" <<<"$after"'
tap_check "the link points at B's socket $sock2" eval '[ -n "$sock2" ] && link_is "$sock2"'
hidden() { e2e_syslog | grep -q 'is hidden from alice (hidepid=)'; }
tap_check "the watch said why it trusts its pidfd" hidden
kill "$c2"
wait "$c2" 2>/dev/null || true
