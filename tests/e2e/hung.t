#!/bin/bash
# hung.t - the roaming laptop: the linked connection stays up on the
# server but its client no longer answers (stopped, or its network gone),
# so its forwarded socket accepts and never answers.  A new connection
# must take the link before its user can type: a command typed into an old
# pane right after the new login reaches the new agent.  Short connections
# must not move it back; the stopped client resuming breaks nothing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent tmux setpriv ss ip

e2e_setup
# The client of the network case lives in a namespace of its own, behind a
# veth pair that is this test's alone.
SRV=10.251.0.1
CLI=10.251.0.2
echo "ListenAddress $SRV" >>"$E2E_DIR/sshd_config"
ip netns add roam
ip link add alv0 type veth peer name alv1 netns roam
ip addr add "$SRV/30" dev alv0
ip link set alv0 up
ip -n roam addr add "$CLI/30" dev alv1
ip -n roam link set alv1 up
ip -n roam link set lo up
e2e_pam "$E2E_MODULE" debug
e2e_sshd_start
e2e_snippets
tap_plan 13

fpA=$(e2e_fp A)
fpB=$(e2e_fp B)
ready() { grep -q ready "$1" 2>/dev/null; }
link_is() { [ "$(e2e_link)" = "$1" ]; }
new_sock() { e2e_agent_socks | grep -vxF -f <(printf '%s\n' "$@") | head -1; }
logged() { grep -F "$1" "$NS_SYSLOG" | grep -qF "$2"; }

# login_b: connection B, long-lived; prints its login time in ms.
login_b() {
	local t0
	t0=$(e2e_ms)
	e2e_sshx B -A e2e "echo ready; exec sleep 600" </dev/null >"$E2E_DIR/$1.out" 2>&1 &
	echo $! >"$E2E_DIR/$1.pid"
	e2e_wait 10 ready "$E2E_DIR/$1.out" || e2e_die "connection B did not start"
	echo $(($(e2e_ms) - t0))
}

# heal_check NAME HUNGSOCK LOGINEND: the user's first command, typed into
# the old pane the moment the login that ended at LOGINEND is up (no wait
# for the link: a command that connects to the hung socket waits there
# for hours, whatever the link does later), reaches B; by then the link
# is the new socket.
heal_check() {
	local name=$1 hung=$2 t1=$3 sb out tcmd
	out=$(e2e_pane_run tmux "timeout 5 ssh-add -l")
	tcmd=$(($(e2e_ms) - t1))
	sb=$(new_sock "$hung")
	tap_diag "$name: hung $hung, new $sb; old pane, typed at once ($tcmd ms to run): $(tr '\n' ' ' <<<"$out")"
	tap_check "$name: timeout 5 ssh-add -l typed into the old pane right after the new login lists the new agent's key" \
		grep -q "$fpB" <<<"$out"
	tap_check "$name: by then the link points at the new connection's socket" link_is "$sb"
	tap_diag "$name: $(grep -F "race: $sb" "$NS_SYSLOG" | tail -1 | sed 's/.*race: //')"
	tap_check "$name: one log line names the hung socket and its replacement" \
		logged "from $hung to $sb (its agent does not answer)" relinked
	echo "$sb" >"$E2E_DIR/$name.sock"
}

# ---- (a) the linked client is stopped ----
e2e_sshx A -A e2e "tmux new-session -d -s work -x 100 -y 20 && echo ready; exec sleep 600" \
	</dev/null >"$E2E_DIR/a.out" 2>&1 &
ca=$!
e2e_wait 10 ready "$E2E_DIR/a.out" || e2e_die "connection A did not start: $(cat "$E2E_DIR/a.out")"
sa=$(e2e_agent_socks | head -1)
e2e_wait 3 link_is "$sa" || true
before=$(e2e_pane_run tmux "timeout 5 ssh-add -l")
tap_check "stopped: before, the pane lists A's key through the link" grep -q "$fpA" <<<"$before"
kill -STOP "$ca"
tap_check "stopped: A's socket now accepts and never answers (ssh-add -l times out)" e2e_sock_hangs "$sa"
ms=$(login_b b1)
heal_check stopped "$sa" "$(e2e_ms)"
sb=$(cat "$E2E_DIR/stopped.sock")
tap_diag "stopped: B's login took $ms ms"

# ---- (c) short connections never move the link back to the hung one ----
samples=$E2E_DIR/samples
rm -f "$E2E_DIR/stop"
( while [ ! -e "$E2E_DIR/stop" ]; do e2e_link; sleep 0.01; done >"$samples" ) &
sp=$!
fails=0
for _ in 1 2 3 4 5 6; do
	e2e_ssh B -A e2e true </dev/null >/dev/null 2>&1 || fails=$((fails + 1))
done
touch "$E2E_DIR/stop"
wait "$sp" || true
nother=$(grep -cvxF "$sb" "$samples" || true)
tap_diag "short: $(wc -l <"$samples") samples, $nother not at B's socket, $fails logins failed"
tap_check "short: 6 short connections came and went; the link stayed on B throughout" \
	test "$nother" = 0 -a "$fails" = 0 -a "$(wc -l <"$samples")" -gt 10

# ---- (e) the stopped client resumes ----
kill -CONT "$ca"
answers() { SSH_AUTH_SOCK=$1 timeout 5 ssh-add -l >/dev/null 2>&1; }
tap_check "resumed: A's agent answers again" e2e_wait 5 answers "$sa"
e2e_ssh B -A e2e true </dev/null >/dev/null 2>&1 || true
after=$(e2e_pane_run tmux "timeout 5 ssh-add -l")
tap_check "resumed: the link stays on B and the pane still reaches B" \
	eval 'link_is "$sb" && grep -q "$fpB" <<<"$after"'
kill "$(cat "$E2E_DIR/b1.pid")" 2>/dev/null || true
kill "$ca" 2>/dev/null || true
wait "$ca" 2>/dev/null || true
link_gone() { [ -z "$(e2e_link)" ] && [ -z "$(e2e_agent_socks)" ]; }
e2e_wait 5 link_gone || true
as_alice tmux kill-server 2>/dev/null || true

# ---- (b) the linked client's network is gone ----
cat >>"$E2E_DIR/ssh_config" <<EOF
Host roam
    HostName $SRV
    Port $E2E_PORT
    User $E2E_USER
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
    BatchMode yes
    LogLevel ERROR
    ServerAliveInterval 0
EOF
SSH_AUTH_SOCK=$(e2e_agent_sock A) ip netns exec roam ssh -F "$E2E_DIR/ssh_config" -A roam \
	"tmux new-session -d -s work -x 100 -y 20 && echo ready; exec sleep 600" \
	</dev/null >"$E2E_DIR/n.out" 2>&1 &
cn=$!
e2e_wait 10 ready "$E2E_DIR/n.out" || e2e_die "connection over the veth did not start: $(cat "$E2E_DIR/n.out")"
sn=$(e2e_agent_socks | head -1)
e2e_wait 3 link_is "$sn" || true
tap_check "network: the roaming connection is linked" link_is "$sn"
# The laptop leaves: its packets go nowhere, the server keeps the TCP
# connection for hours.
ip -n roam link set alv1 down
tap_check "network: its socket now accepts and never answers" e2e_sock_hangs "$sn"
ms=$(login_b b2)
heal_check network "$sn" "$(e2e_ms)"
tap_diag "network: B's login took $ms ms"

kill "$(cat "$E2E_DIR/b2.pid")" "$cn" 2>/dev/null || true
as_alice tmux kill-server 2>/dev/null || true
tap_exit
