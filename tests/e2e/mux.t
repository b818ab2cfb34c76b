#!/bin/bash
# mux.t - with a client ControlMaster, several sessions share one master
# connection, one PAM session and one socket; ending a multiplexed session
# does not touch the link; ending the master (ssh -O exit) relinks the link
# to another live connection, or removes it when there is none.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent setpriv ss

e2e_setup
e2e_pam "$E2E_MODULE"
e2e_sshd_start
tap_plan 7
fpA=$(e2e_fp A)
cm=$E2E_DIR/cm.sock

ready() { grep -q ready "$1" 2>/dev/null; }
link_is() { [ "$(e2e_link)" = "$1" ]; }
opened() { grep -c 'pam_unix(sshd-agentlink:session): session opened' "$NS_SYSLOG" || true; }
linkstate() { stat -c '%i %Y' "$E2E_LINK" 2>/dev/null; e2e_link; }

e2e_sshx A -A -M -S "$cm" -o ControlPersist=no e2e 'echo ready; exec cat >/dev/null' \
	<"$E2E_HOLD" >"$E2E_DIR/m.out" 2>&1 &
master=$!
e2e_wait 10 ready "$E2E_DIR/m.out" || e2e_die "master did not start: $(cat "$E2E_DIR/m.out")"
sm=$(e2e_agent_socks | head -1)
e2e_wait 3 link_is "$sm" || true
e2e_sshx B -A e2e 'echo ready; exec cat >/dev/null' <"$E2E_HOLD" >"$E2E_DIR/b.out" 2>&1 &
other=$!
e2e_wait 10 ready "$E2E_DIR/b.out" || e2e_die "second connection did not start"
sb=$(e2e_agent_socks | grep -vxF "$sm" | head -1)
tap_diag "master's socket $sm, other connection's $sb, link -> $(e2e_link)"
tap_check "the master connection is linked" link_is "$sm"

before=$(linkstate)
sessions0=$(opened)
# Three multiplexed sessions at once, and two more one after the other.
outs=()
for i in 1 2 3; do
	e2e_ssh A -A -S "$cm" e2e 'echo "sock=$SSH_AUTH_SOCK"; ssh-add -l' </dev/null >"$E2E_DIR/s$i.out" 2>&1 &
	outs+=("$!")
done
for p in "${outs[@]}"; do wait "$p" || true; done
for i in 4 5; do
	e2e_ssh A -A -S "$cm" e2e 'echo "sock=$SSH_AUTH_SOCK"; ssh-add -l' </dev/null >"$E2E_DIR/s$i.out" 2>&1 || true
done
sessions1=$(opened)
socks=$(cat "$E2E_DIR"/s[1-5].out | sed -n 's/^sock=//p' | sort -u)
keys=$(grep -l "$fpA" "$E2E_DIR"/s[1-5].out | wc -l)
tap_diag "5 multiplexed sessions: sockets seen $(tr '\n' ' ' <<<"$socks"); $keys listed A's key; PAM sessions opened meanwhile: $((sessions1 - sessions0))"
tap_check "the 5 multiplexed sessions share the master's one socket and reach agent A" \
	eval '[ "$socks" = "$sm" ] && [ "$keys" = 5 ]'
tap_check "the multiplexed sessions opened no PAM session of their own" \
	test "$sessions1" = "$sessions0"
tap_check "the multiplexed sessions made no agent socket of their own (2 left: the master's and the other connection's)" \
	test "$(e2e_agent_socks | wc -l)" = 2
after=$(linkstate)
tap_diag "link (inode mtime target) before: $(tr '\n' ' ' <<<"$before") after: $(tr '\n' ' ' <<<"$after")"
tap_check "ending multiplexed sessions did not touch the link" test "$before" = "$after"

e2e_ssh A -S "$cm" -O exit e2e 2>/dev/null || true
wait "$master" 2>/dev/null || true
e2e_wait 3 link_is "$sb" || true
tap_diag "after ssh -O exit: link -> $(e2e_link)"
tap_check "ssh -O exit on the master relinks the link to the other live connection" \
	eval 'link_is "$sb" && e2e_sock_live "$sb"'

kill "$other"
wait "$other" 2>/dev/null || true
gone() { [ ! -L "$E2E_LINK" ]; }
e2e_wait 3 gone || true
tap_check "when the last connection ends the link is removed" gone
tap_exit
