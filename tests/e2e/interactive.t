#!/bin/bash
# interactive.t - policy=interactive against the real sshd: connections
# with a terminal (ssh -tt) hold the link over notty ones.  An interactive
# login is linked; a later notty login with forwarding leaves the link
# there; when the interactive one ends, the link goes to the notty one; a
# later interactive login takes it back (the watch waits for sshd's title
# to show the terminal, which comes a moment after the socket); short
# notty connections never move it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent setpriv ss perl
e2e_cmd_require

e2e_setup
e2e_pam "$E2E_MODULE" policy=interactive debug
e2e_sshd_start
e2e_admin_files
e2e_cmd_install
tap_plan 10

ready() { grep -q ready "$1" 2>/dev/null; }
link_is() { [ "$(e2e_link)" = "$1" ]; }
new_sock() { e2e_agent_socks | grep -vxF -f <(printf '%s\n' "$@") | head -1; }
logged() { grep -F "$1" "$NS_SYSLOG" | grep -qF "${2:-}"; }
# login NAME AGENT [ssh args]: a long-lived connection; its client's pid
# in NAME.pid.
login() {
	local name=$1 agent=$2
	shift 2
	e2e_sshx "$agent" -A "$@" e2e "echo ready; exec sleep 600" <"$E2E_HOLD" \
		>"$E2E_DIR/$name.out" 2>&1 &
	echo $! >"$E2E_DIR/$name.pid"
	e2e_wait 10 ready "$E2E_DIR/$name.out" || e2e_die "$name did not start: $(cat "$E2E_DIR/$name.out")"
}
logout() {
	local p
	p=$(cat "$E2E_DIR/$1.pid")
	kill "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}

# ---- an interactive login, then a notty one ----
login t1 A -tt
s1=$(e2e_agent_socks | head -1)
e2e_wait 3 link_is "$s1" || true
tap_check "the interactive login (ssh -tt) is linked" link_is "$s1"

login n B
sn=$(new_sock "$s1")
# Its watch is done once its own socket is live and its title known.
e2e_wait 5 logged "watch: own socket $sn is live; done" || true
tap_check "the notty login's watch ended, its socket and title seen" \
	logged "watch: own socket $sn is live; done"
tap_check "policy=interactive: the later notty login leaves the link on the interactive one" \
	link_is "$s1"
as_alice "$E2E_CMD" status --json >"$E2E_DIR/st.json" || true
j() { e2e_json "$E2E_DIR/st.json" "$1"; }
tty_of() { j "(grep { \$_->{path} eq '$1' } @{\$j->{sockets}})[0]{interactive}"; }
doc_ok() { [ "$(j '$j->{policy}')" = interactive ] && [ "$(tty_of "$s1")" = yes ] &&
	[ "$(tty_of "$sn")" = no ] && [ "$(j '$j->{rule}{action}')" = keep ] &&
	[ "$(j '$j->{rule}{target}')" = "$s1" ]; }
tap_diag "status --json: $(tr -d '\n' <"$E2E_DIR/st.json" | tr -s ' ')"
tap_check "agentlink status: policy interactive, the terminal one yes, the notty one no, the rule keeps the link" doc_ok

# ---- the interactive one ends ----
logout t1
e2e_wait 5 link_is "$sn" || true
tap_check "when the interactive login ends, the link goes to the notty one" link_is "$sn"
tap_check "... close logs the move" logged "close: relinked $E2E_LINK from $s1 to $sn"

# ---- a later interactive login takes the link ----
login t2 A -tt
s2=$(new_sock "$sn")
e2e_wait 3 link_is "$s2" || true
tap_check "a later interactive login takes the link from the notty one" link_is "$s2"
tap_check "... the watch says why" \
	logged "from $sn to $s2 (policy=interactive prefers the newest connection with a terminal)" "watch:"
tap_diag "$(grep -F "$s2" "$NS_SYSLOG" | grep -F watch: | sed 's/.*pam_agentlink/pam_agentlink/')"

# ---- short notty connections ----
fails=0
for _ in 1 2 3 4; do
	e2e_ssh B -A e2e true </dev/null >/dev/null 2>&1 || fails=$((fails + 1))
done
tap_check "4 short notty connections came and went ($fails failed); the link stays on the interactive one" \
	eval '[ "$fails" = 0 ] && link_is "$s2"'
out=$(as_alice "$E2E_CMD" relink 2>&1) && rc=0 || rc=$?
tap_diag "relink (exit $rc): $out"
tap_check "agentlink relink under policy=interactive keeps it there" \
	eval '[ "$rc" = 0 ] && link_is "$s2" && grep -q "relink: kept" <<<"$out"'

logout t2
logout n
tap_exit
