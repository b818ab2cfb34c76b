#!/bin/bash
# reconnect.t - the point of pam_agentlink: a tmux (and a screen) pane that
# was started under one connection finds the agent of the next connection
# through the link, within a second of the reconnect.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent tmux screen setpriv ss

e2e_setup
e2e_pam "$E2E_MODULE"
e2e_sshd_start
tap_plan 8

fpA=$(e2e_fp A)
fpB=$(e2e_fp B)

# Exactly the snippets the project ships for ~/.tmux.conf and ~/.screenrc.
e2e_snippets
pane_run() { e2e_pane_run "$1"; }

# until_link_is SOCK: the link points at SOCK.
link_is() { [ "$(e2e_link)" = "$1" ]; }
not_grep() { ! grep -q "$1" <<<"$2"; }
link_gone() { [ -z "$(e2e_link)" ]; }
ready() { grep -q ready "$1" 2>/dev/null; }

scenario() {
	local mux=$1 start c1 c2 out1 out2 sock1 sock2 before gap after t0 t1 el
	local ok_before=1 ok_gap=1
	case $mux in
	tmux) start="tmux new-session -d -s work -x 100 -y 20" ;;
	screen) start="screen -dmS work" ;;
	esac
	out1=$E2E_DIR/c1.$mux
	out2=$E2E_DIR/c2.$mux
	# Connection 1 with agent A starts the multiplexer, detached, and stays.
	e2e_sshx A -A e2e "$start && echo ready; exec sleep 600" </dev/null >"$out1" 2>&1 &
	c1=$!
	e2e_wait 10 ready "$out1" || e2e_die "$mux: connection A did not start $mux: $(cat "$out1")"
	sock1=$(e2e_agent_socks | head -1)
	e2e_wait 2 link_is "$sock1" || true
	tap_diag "$mux: A's forwarded socket $sock1, link -> $(e2e_link)"
	before=$(pane_run "$mux")
	tap_diag "$mux pane, connected with A: $(tr '\n' ' ' <<<"$before")"
	grep -q "$fpA" <<<"$before" || ok_before=0

	# Disconnect: the client goes away; the multiplexer stays.
	kill "$c1"
	wait "$c1" 2>/dev/null || true
	e2e_wait 3 link_gone || true
	gap=$(pane_run "$mux")
	tap_diag "$mux pane, disconnected: $(tr '\n' ' ' <<<"$gap") link -> '$(e2e_link)'"
	grep -q "rc=0" <<<"$gap" && ok_gap=0

	# Reconnect with agent B.
	t0=$(e2e_ms)
	e2e_sshx B -A e2e "echo ready; exec sleep 600" </dev/null >"$out2" 2>&1 &
	c2=$!
	e2e_wait 10 ready "$out2" || true
	t1=$(e2e_ms)
	after=""
	while :; do
		after=$(pane_run "$mux")
		grep -q "$fpB" <<<"$after" && break
		[ $(($(e2e_ms) - t1)) -lt 1000 ] || break
	done
	el=$(($(e2e_ms) - t1))
	sock2=$(e2e_agent_socks | head -1)
	tap_diag "$mux pane, reconnected with B: $(tr '\n' ' ' <<<"$after")"
	tap_diag "$mux: B's socket $sock2, link -> $(e2e_link); login took $((t1 - t0)) ms, the pane saw B's key $el ms after the login"
	tap_check "$mux: before the reconnect the pane's ssh-add -l lists agent A's key" \
		test "$ok_before" = 1
	tap_check "$mux: while disconnected the pane's ssh-add -l finds no agent" \
		test "$ok_gap" = 1
	saw_b() { grep -q "$fpB" <<<"$after" && [ "$el" -le 1000 ]; }
	tap_check "$mux: after reconnecting with agent B the old pane's ssh-add -l lists B's key within 1 s" saw_b
	tap_check "$mux: the old pane no longer sees agent A's key" \
		not_grep "$fpA" "$after"

	kill "$c2"
	wait "$c2" 2>/dev/null || true
	case $mux in
	tmux) as_alice tmux kill-server 2>/dev/null || true ;;
	screen) as_alice screen -S work -X quit 2>/dev/null || true ;;
	esac
	e2e_wait 3 link_gone || true
}

scenario tmux
scenario screen
tap_exit
