#!/bin/bash
# slow.t - where a slow agent ends and a hung one begins.  The laptop's
# agent sits behind a relay that holds each reply 150 ms (a slow network):
# its long-lived connection keeps the link through 20 short logins from
# the same laptop (policy=keep, and the watch's race: the linked agent was
# asked first and answers before the new one's patience runs out).  A
# login from a fast network takes it for as long as the slow agent takes
# to answer, then gives it back.  Then the relay stops answering at all:
# the first new login takes the link, before a command typed into the old
# pane can reach it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent tmux setpriv setsid perl

e2e_setup
e2e_pam "$E2E_MODULE" debug
e2e_sshd_start
e2e_snippets
tap_plan 10

DELAY_MS=150
SLOW=$E2E_DIR/slowA.sock
fpA=$(e2e_fp A)
fpB=$(e2e_fp B)
ready() { grep -q ready "$1" 2>/dev/null; }
link_is() { [ "$(e2e_link)" = "$1" ]; }
# ms SOCK: how long ssh-add -l through SOCK takes (and that it lists A).
ms_through() {
	local t0 out
	t0=$(e2e_ms)
	out=$(SSH_AUTH_SOCK=$1 timeout 5 ssh-add -l 2>&1) || return 1
	grep -q "$fpA" <<<"$out" || return 1
	echo $(($(e2e_ms) - t0))
}

# The relay, leader of its own process group (to be stopped whole).
setsid "$E2E_TOP/tests/e2e/delayrelay.pl" "$SLOW" "$(e2e_agent_sock A)" "$DELAY_MS" \
	>"$E2E_DIR/relay.out" 2>&1 &
relay=$!
e2e_wait 5 ready "$E2E_DIR/relay.out" || e2e_die "delayrelay.pl did not start: $(cat "$E2E_DIR/relay.out")"
slow_ssh() { SSH_AUTH_SOCK=$SLOW ssh -F "$E2E_DIR/ssh_config" "$@"; }

SSH_AUTH_SOCK=$SLOW ssh -F "$E2E_DIR/ssh_config" -A e2e \
	"tmux new-session -d -s work -x 100 -y 20 && echo ready; exec sleep 600" \
	</dev/null >"$E2E_DIR/a.out" 2>&1 &
ca=$!
e2e_wait 10 ready "$E2E_DIR/a.out" || e2e_die "connection A did not start: $(cat "$E2E_DIR/a.out")"
sa=$(e2e_agent_socks | head -1)
e2e_wait 5 link_is "$sa" || true
tap_check "the slow laptop's connection is linked: $sa" link_is "$sa"
t=$(ms_through "$sa" || echo fail)
tap_diag "ssh-add -l through A's forwarded socket: $t ms"
slow_enough() { [ "$t" != fail ] && [ "$t" -ge "$DELAY_MS" ]; }
tap_check "its agent answers, and takes at least $DELAY_MS ms" slow_enough

# ---- 20 short logins from the same laptop ----
samples=$E2E_DIR/samples
rm -f "$E2E_DIR/stop"
( while [ ! -e "$E2E_DIR/stop" ]; do e2e_link; sleep 0.01; done >"$samples" ) &
sp=$!
fails=0
t0=$(e2e_ms)
for _ in $(seq 20); do
	slow_ssh -A e2e true </dev/null >/dev/null 2>&1 || fails=$((fails + 1))
done
t1=$(e2e_ms)
touch "$E2E_DIR/stop"
wait "$sp" || true
nother=$(grep -cvxF "$sa" "$samples" || true)
answered=$(grep -F "probe $sa: answers after" "$NS_SYSLOG" | sed 's/.*after \([0-9]*\) us.*/\1/' |
	sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%d answers, %d to %d us", NR, a[1], a[NR] }')
tap_diag "short: 20 logins in $((t1 - t0)) ms, $fails failed; $(wc -l <"$samples") samples, $nother not at A's socket"
tap_diag "short: the watches' questions to A's agent: ${answered:-none answered}"
tap_check "short: all 20 short logins went through" test "$fails" = 0
enough_and_kept() { [ "$(wc -l <"$samples")" -gt 10 ] && [ "$nother" = 0 ]; }
tap_check "short: the link never left the slow agent's socket" enough_and_kept
relinked=$(grep -c "relinked" "$NS_SYSLOG" || true)
tap_check "short: no watch and no close relinked ($relinked relinks logged)" test "$relinked" = 0
out=$(e2e_pane_run tmux "timeout 5 ssh-add -l")
tap_check "short: the old pane still lists A's key through the slow agent" grep -q "$fpA" <<<"$out"

# ---- a long-lived login from a fast network ----
# The race gives the link to it (the slow agent is more than 4 times
# slower), and the slow agent, answering after all, gets it back.
e2e_sshx B -A e2e "echo ready; exec sleep 600" </dev/null >"$E2E_DIR/f.out" 2>&1 &
cf=$!
e2e_wait 10 ready "$E2E_DIR/f.out" || e2e_die "connection B did not start"
sf=$(e2e_agent_socks | grep -vxF "$sa" | head -1)
back=no
logged_back() { grep -F "from $sf back to $sa" "$NS_SYSLOG" | grep -q "answered after all"; }
e2e_wait 3 logged_back && back=yes
tap_diag "fast: $(grep -F "back to $sa" "$NS_SYSLOG" | tail -1 | sed 's/.*watch: //')"
tap_check "fast: a long-lived login from a fast network leaves the link with the slow agent, which answered after all" \
	eval 'test "$back" = yes && link_is "$sa"'
kill "$cf" 2>/dev/null || true
wait "$cf" 2>/dev/null || true
gone_f() { ! e2e_agent_socks | grep -qxF "$sf"; }
e2e_wait 5 gone_f || true

# ---- the relay stops: the linked agent never answers ----
kill -STOP -- "-$relay"
tap_check "stopped: A's socket now accepts and never answers" e2e_sock_hangs "$sa"
e2e_sshx B -A e2e "echo ready; exec sleep 600" </dev/null >"$E2E_DIR/b.out" 2>&1 &
cb=$!
e2e_wait 10 ready "$E2E_DIR/b.out" || e2e_die "connection B did not start"
out=$(e2e_pane_run tmux "timeout 5 ssh-add -l")
sb=$(e2e_agent_socks | grep -vxF "$sa" | head -1)
tap_diag "stopped: old pane, typed at once: $(tr '\n' ' ' <<<"$out")"
tap_diag "stopped: $(grep -F "race: $sb" "$NS_SYSLOG" | tail -1 | sed 's/.*race: //')"
tap_check "stopped: typed into the old pane right after the first new login, ssh-add -l lists B's key" \
	grep -q "$fpB" <<<"$out"
tap_check "stopped: the link points at B's socket" link_is "$sb"

kill -CONT -- "-$relay" 2>/dev/null || true
kill "$cb" "$ca" 2>/dev/null || true
kill -- "-$relay" 2>/dev/null || true
wait "$cb" "$ca" 2>/dev/null || true
as_alice tmux kill-server 2>/dev/null || true
tap_exit
