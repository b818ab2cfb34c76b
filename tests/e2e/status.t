#!/bin/bash
# status.t - agentlink status --json against the real sshd, in known
# states: no link; a live link; several sockets, each with its connection
# (sshd's pid, since when, terminal or notty, where from); a hung
# connection (its client stopped: the socket accepts and never answers); a
# dead link (a killed connection's socket); a dangling link.  status
# changes nothing; relink applies the rule; a setuid copy refuses to run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent setpriv ss perl "$E2E_TOP/tests/tools/sockfix"
e2e_cmd_require

e2e_setup
# OpenSSH writes a utmp record for a session with a terminal when the
# file exists: from it status says where the connection comes from.
install -m 0664 /dev/null /run/utmp
e2e_pam "$E2E_MODULE"
e2e_sshd_start
e2e_admin_files
e2e_cmd_install
tap_plan 27

ready() { grep -q ready "$1" 2>/dev/null; }
link_is() { [ "$(e2e_link)" = "$1" ]; }
new_sock() { e2e_agent_socks | grep -vxF -f <(printf '%s\n' "$@") | head -1; }
# st [ARGS]: agentlink status --json as alice into st.json; prints its exit status.
st() {
	local rc=0
	as_alice "$E2E_CMD" status --json "$@" >"$E2E_DIR/st.json" 2>"$E2E_DIR/st.err" || rc=$?
	echo "$rc"
}
j() { e2e_json "$E2E_DIR/st.json" "$1"; }
# The index of the socket at PATH in the document, or "none".
idx() { j "my (\$i) = grep { \$j->{sockets}[\$_]{path} eq '$1' } 0 .. \$#{\$j->{sockets}}; \$i // 'none'"; }
sock() { j "\$j->{sockets}[$(idx "$1")]$2"; }
show() { tap_diag "status --json (exit $1): $(tr -d '\n' <"$E2E_DIR/st.json" | tr -s ' ') $(cat "$E2E_DIR/st.err")"; }
now=$(date +%s)

# ---- no link ----
rc=$(st)
show "$rc"
tap_check "no connection: exit 1 (no working link)" test "$rc" = 1
head_ok() { [ "$(j '$j->{version}')" = 2 ] && [ "$(j '$j->{user}')" = alice ] &&
	[ "$(j '$j->{uid}')" = "$E2E_UID" ] && [ "$(j '$j->{host}')" = labhost ] &&
	[ "$(j '$j->{policy}')" = keep ] && [ "$(j '$j->{probe_ms}')" = 1000 ] &&
	[ "$(j '$j->{link}{path}')" = "$E2E_LINK" ]; }
tap_check "the document names version 1, alice, her uid, labhost, policy=keep, probe=1000 and the link's path" head_ok
none_ok() { [ "$(j '$j->{link}{state}')" = missing ] && [ "$(j 'scalar @{$j->{sockets}}')" = 0 ] &&
	[ "$(j '$j->{link}{works}')" = false ] && [ "$(j '$j->{rule}{action}')" = none ]; }
tap_check "no connection: link missing, no socket, rule: none" none_ok

# ---- a live link: connection A, no terminal ----
e2e_sshx A -A e2e "echo ready; exec sleep 600" </dev/null >"$E2E_DIR/a.out" 2>&1 &
ca=$!
e2e_wait 10 ready "$E2E_DIR/a.out" || e2e_die "connection A did not start"
sa=$(e2e_agent_socks | head -1)
e2e_wait 3 link_is "$sa" || true
rc=$(st)
show "$rc"
tap_check "a live link: exit 0" test "$rc" = 0
live_ok() { [ "$(j '$j->{link}{state}')" = symlink ] && [ "$(j '$j->{link}{target}')" = "$sa" ] &&
	[ "$(j '$j->{link}{works}')" = true ] && [ "$(idx "$sa")" = 0 ] &&
	[ "$(j '$j->{link}{socket}')" = 0 ] && [ "$(sock "$sa" '{linked}')" = true ]; }
tap_check "a live link: it points at A's socket, socket 0, and works" live_ok
answer_ok() { [ "$(sock "$sa" '{state}')" = answering ] && [ "$(sock "$sa" '{detail}')" = answered ] &&
	[ "$(sock "$sa" '{reply_us}')" -ge 0 ] && [ "$(sock "$sa" '{reply_us}')" -lt 1000000 ]; }
tap_check "A's socket is answering, with the time its agent took" answer_ok
pa=$(e2e_sock_pid "$sa")
conn_ok() {
	local since
	since=$(sock "$sa" '{connection}{since_epoch}')
	[ "$(sock "$sa" '{connection}{pid}')" = "${pa:-null}" ] &&
		[ "$(sock "$sa" '{connection}{found}')" = true ] &&
		[ "$(sock "$sa" '{connection}{terminal}')" = notty ] &&
		[ "$(sock "$sa" '{interactive}')" = no ] &&
		[ "$(sock "$sa" '{connection}{from}')" = null ] &&
		[ "$since" -ge $((now - 5)) ] && [ "$since" -le "$(date +%s)" ] &&
		[[ $(sock "$sa" '{connection}{since}') =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
}
tap_check "A's connection: sshd $pa, found, started since the test began, notty, from unknown" conn_ok
rule_keep() { [ "$(j '$j->{rule}{action}')" = keep ] && [ "$(j '$j->{rule}{target}')" = "$1" ] &&
	[ "$(j '$j->{rule}{reason}')" = "its socket is alive" ]; }
tap_check "the rule keeps the link at A (its socket is alive)" rule_keep "$sa"
text=$(as_alice "$E2E_CMD" status 2>&1) && trc=0 || trc=$?
tap_diag "$text"
text_ok() { [ "$trc" = 0 ] && grep -qF "link:    $E2E_LINK -> $sa" <<<"$text" &&
	grep -q "works: its agent answers" <<<"$text" && grep -q "notty, from unknown" <<<"$text" &&
	grep -q "^rule:    policy=keep: keep the link at $sa (its socket is alive)" <<<"$text"; }
tap_check "the text form says the same, and exits 0" text_ok

# ---- several sockets: B, with a terminal ----
e2e_sshx B -A -tt e2e "echo ready; exec sleep 600" <"$E2E_HOLD" >"$E2E_DIR/b.out" 2>&1 &
cb=$!
e2e_wait 10 ready "$E2E_DIR/b.out" || e2e_die "connection B did not start: $(cat "$E2E_DIR/b.out")"
sb=$(new_sock "$sa")
rc=$(st)
show "$rc"
two_ok() { [ "$rc" = 0 ] && [ "$(j 'scalar @{$j->{sockets}}')" = 2 ] &&
	[ "$(j 'scalar grep { $_->{linked} } @{$j->{sockets}}')" = 1 ] &&
	[ "$(sock "$sb" '{linked}')" = false ] && [ "$(sock "$sb" '{state}')" = answering ]; }
tap_check "two connections: two sockets, both answering, only A's linked" two_ok
term=$(sock "$sb" '{connection}{terminal}')
tty_ok() { [[ $term =~ ^pts/[0-9]+$ ]] && [ "$(sock "$sb" '{interactive}')" = yes ] &&
	[ "$(sock "$sb" '{connection}{pid}')" = "$(e2e_sock_pid "$sb" | grep . || echo null)" ]; }
tap_check "B's connection has terminal $term (sshd's title), interactive yes, sshd $(e2e_sock_pid "$sb")" tty_ok
# sshd's utmp record of that terminal, read from the file itself (who on
# Debian 13 asks logind instead): type, pid, line, id, user, host.
rec=$(perl -e 'open my $f, "<", "/run/utmp" or exit; local $/ = \384;
	while (<$f>) { my ($t, $p, $l, $i, $u, $h) = unpack "s x2 l Z32 Z4 Z32 Z256", $_;
		print "$h\n" if $t == 7 && $u eq "alice" && $l eq $ARGV[0] }' "$term")
from=$(sock "$sb" '{connection}{from}')
tap_diag "utmp record of $term: ${rec:-none}; from: $from"
from_ok() { if [ -n "$rec" ]; then [ "$from" = "$rec" ] && [ "$rec" = 127.0.0.1 ]; else [ "$from" = null ]; fi; }
tap_check "B's connection comes from sshd's utmp record's host ($rec), or from unknown (null) without one" from_ok
tap_check "policy=keep: the rule keeps the link at A" rule_keep "$sa"

# Named as sshd names them, but not alice's to use: bob's socket in bob's
# directory, alice's socket in a directory anybody may write to, bob's
# symbolic link to A's directory.  None is listed.
install -d -m 0700 -o bob -g bob /tmp/ssh-BobBobBob1
install -d -m 0777 /tmp/ssh-OpenOpen01
"$E2E_TOP/tests/tools/sockfix" /tmp/ssh-BobBobBob1/agent.4242 4102 <"$E2E_HOLD" >"$E2E_DIR/fix1.out" &
f1=$!
"$E2E_TOP/tests/tools/sockfix" /tmp/ssh-OpenOpen01/agent.4243 4101 <"$E2E_HOLD" >"$E2E_DIR/fix2.out" &
f2=$!
setpriv --reuid=bob --regid=bob --init-groups ln -s "${sa%/*}" /tmp/ssh-BobLink001
e2e_wait 5 eval 'ready "$E2E_DIR/fix1.out" && ready "$E2E_DIR/fix2.out"' || e2e_die "sockfix did not start"
rc=$(st)
only_hers() { [ "$(j 'join " ", sort map { $_->{path} } @{$j->{sockets}}')" = "$(printf '%s\n' "$sa" "$sb" | sort | tr '\n' ' ' | sed 's/ $//')" ]; }
tap_check "another user's socket, a socket in a world-writable directory and another user's link are not listed" only_hers
kill "$f1" "$f2"
wait "$f1" "$f2" 2>/dev/null || true
rm -rf /tmp/ssh-BobBobBob1 /tmp/ssh-OpenOpen01 /tmp/ssh-BobLink001

# ---- hung: A's client stopped ----
kill -STOP "$ca"
rc=$(st --probe=300)
show "$rc"
tap_check "A's client stopped: exit 1 (the link's agent does not answer)" test "$rc" = 1
hung_ok() { [ "$(sock "$sa" '{state}')" = hung ] && [ "$(sock "$sa" '{detail}')" = "no answer" ] &&
	[ "$(j '$j->{probe_ms}')" = 300 ] && [ "$(sock "$sb" '{state}')" = answering ] &&
	[ "$(j '$j->{link}{works}')" = false ]; }
tap_check "A's socket is hung (no answer in --probe=300 ms), B's answering" hung_ok
rule_link() { [ "$(j '$j->{rule}{action}')" = link ] && [ "$(j '$j->{rule}{target}')" = "$1" ] &&
	[ "$(j '$j->{rule}{reason}')" = "$2" ]; }
tap_check "the rule would move the link to B (its agent does not answer)" \
	rule_link "$sb" "its agent does not answer"
tap_check "status changed nothing: the link still points at A" link_is "$sa"
out=$(as_alice "$E2E_CMD" relink 2>&1) && rrc=0 || rrc=$?
tap_diag "relink (exit $rrc): $out"
relink_ok() { [ "$rrc" = 0 ] && link_is "$sb" &&
	grep -qF "relink: relinked $E2E_LINK from $sa to $sb (its agent does not answer)" <<<"$out"; }
tap_check "relink moves the link to B, says so in the module's words, exits 0" relink_ok
kill -CONT "$ca"

# ---- dead link: B's connection killed, its socket left behind ----
pids=$(e2e_conn_pids "$sb")
[ -n "$pids" ] || e2e_die "no sshd process found for $sb"
# shellcheck disable=SC2086
kill -STOP $pids
# shellcheck disable=SC2086
kill -KILL $pids
wait "$cb" 2>/dev/null || true
gone() { local p; for p in $pids; do [ ! -d "/proc/$p" ] || [ "$(awk '{print $3}' "/proc/$p/stat")" = Z ] || return 1; done; }
e2e_wait 5 gone || tap_diag "sshd processes $pids still there"
rc=$(st)
show "$rc"
dead_ok() { [ "$rc" = 1 ] && [ -S "$sb" ] && link_is "$sb" && [ "$(sock "$sb" '{state}')" = dead ] &&
	[ "$(sock "$sb" '{detail}')" = refused ] && [ "$(sock "$sb" '{linked}')" = true ] &&
	[ "$(sock "$sb" '{connection}{found}')" = false ]; }
tap_check "dead link (B killed): exit 1, B's socket dead (refused), linked, its sshd gone" dead_ok
tap_check "the rule would move the link to A (its socket is dead)" rule_link "$sa" "its socket is dead"
tap_check "status removed nothing: the dead socket and the link are as they were" \
	eval '[ -S "$sb" ] && link_is "$sb"'

# ---- a dangling link ----
as_alice ln -sfn /tmp/ssh-Gone000000/agent.1 "$E2E_LINK"
rc=$(st)
show "$rc"
dangling_ok() { [ "$rc" = 1 ] && [ "$(j '$j->{link}{state}')" = symlink ] &&
	[ "$(j '$j->{link}{target}')" = /tmp/ssh-Gone000000/agent.1 ] &&
	[ "$(j '$j->{link}{socket}')" = null ] && [ "$(j '$j->{link}{works}')" = false ]; }
tap_check "a dangling link: exit 1, its target is no socket of alice's" dangling_ok
tap_check "the rule would link A (the link pointed at no forwarded agent socket)" \
	rule_link "$sa" "it did not point at a forwarded agent socket of the user"
out=$(as_alice "$E2E_CMD" relink 2>&1) && rrc=0 || rrc=$?
tap_diag "relink (exit $rrc): $out"
tap_check "relink links A again and exits 0" eval '[ "$rrc" = 0 ] && link_is "$sa"'
rc=$(st)
tap_check "afterwards status exits 0: the link works" test "$rc" = 0

# ---- a setuid copy refuses ----
install -m 4755 "$E2E_CMD" "${E2E_CMD}-suid"
out=$(as_alice "${E2E_CMD}-suid" status 2>&1) && src=0 || src=$?
tap_diag "setuid copy (exit $src): $out"
tap_check "a setuid-root copy run by alice refuses to run (exit 2)" \
	eval '[ "$src" = 2 ] && grep -q "refusing to run setuid" <<<"$out"'

kill "$ca" 2>/dev/null || true
wait "$ca" 2>/dev/null || true
tap_exit
