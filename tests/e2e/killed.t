#!/bin/bash
# killed.t - the sshd processes of the linked connection die by SIGKILL, so
# neither sshd nor close_session cleans up: the next login must point the
# link at a live connection or remove it, and the stale socket must be
# gone once something that lists the socket places has run: the watch
# (open and close find sockets in shared places such as /tmp in the
# kernel's list of listening sockets, where dead ones are not).  With
# OpenSSH 10.6's home sockets (s.<hosthash>.sshd.<pid>.<random>) the dead
# one goes at the next login or logout, and a dead socket of another host
# in the same home stays.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent setpriv ss "$E2E_TOP/tests/tools/sockfix"

e2e_setup
e2e_pam "$E2E_MODULE"
e2e_sshd_start

ready() { grep -q ready "$1" 2>/dev/null; }
link_is() { [ "$(e2e_link)" = "$1" ]; }
# The module only removes sockets at least 2 s old (younger ones may sit
# between bind and listen): wait until SOCK is that old.
old_enough() { [ $(($(date +%s) - $(stat -c %Y "$1"))) -ge 2 ]; }
pids_gone() {
	local p
	for p in "$@"; do
		[ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && return 1
	done
	return 0
}
new_sock() { e2e_agent_socks | grep -vxF -f <(printf '%s\n' "$@") | head -1; }
# kill_conn SOCK: SIGKILL the sshd processes of the connection owning SOCK.
# Both are stopped first: otherwise the [priv] monitor may see its child
# die and remove the socket before its own SIGKILL arrives.
kill_conn() {
	local pids
	pids=$(e2e_conn_pids "$1")
	[ -n "$pids" ] || e2e_die "no sshd process found for $1"
	tap_diag "killing sshd processes $(tr '\n' ' ' <<<"$pids")of the connection of $1: $(ps -o args= -p "$(tr '\n' , <<<"$pids" | sed 's/,$//')" | tr '\n' ';')"
	# shellcheck disable=SC2086
	kill -STOP $pids
	# shellcheck disable=SC2086
	kill -KILL $pids
	e2e_wait 3 pids_gone $pids || tap_diag "sshd processes $pids still there"
}
# In the home a dead socket whose name carries no pid (10.1 to 10.5) stays
# for an hour (OpenSSH's rule, and the module's: the home may be another
# host's too); elsewhere, and in the home when its name has this host's
# hash and a pid that is no live sshd process of alice's, it goes at once.
in_home() { case $1 in "$E2E_HOME"/*) return 0 ;; esac; return 1; }
stale_handled() {
	if in_home "$1" && [ -z "$(e2e_sock_pid "$1")" ]; then [ -S "$1" ]; else [ ! -e "$1" ]; fi
}
# Open and close list no shared place (DIR/ssh-*/agent.*): a dead socket
# there is left to the watch; in a user: place they remove it as above.
in_shared() { case ${1%/*} in */ssh-*) return 0 ;; esac; return 1; }
login_left() { if in_shared "$1"; then [ -S "$1" ]; else stale_handled "$1"; fi; }

e2e_sshx A -A e2e "echo ready; exec sleep 600" </dev/null >"$E2E_DIR/c1.out" 2>&1 &
c1=$!
e2e_wait 10 ready "$E2E_DIR/c1.out" || e2e_die "connection A did not start"
s1=$(e2e_agent_socks | head -1)
# 10.6's home layout: a dead socket of another host (another hash) beside
# alice's, named after a pid that is no process here.
other=
if in_home "$s1" && [ -n "$(e2e_sock_pid "$s1")" ]; then
	n=${s1##*/}
	other=${s1%/*}/s.OtherHost0.sshd.999999.${n##*.}
	"$E2E_TOP/tests/tools/sockfix" "$other" "$E2E_UID" </dev/null >"$E2E_DIR/other.out" 2>&1 ||
		e2e_die "sockfix $other failed: $(cat "$E2E_DIR/other.out")"
	touch -d '-2 hours' "$other"
fi
if [ -n "$other" ]; then tap_plan 7; else tap_plan 6; fi
e2e_sshx B -A e2e "echo ready; exec sleep 600" </dev/null >"$E2E_DIR/c2.out" 2>&1 &
c2=$!
e2e_wait 10 ready "$E2E_DIR/c2.out" || e2e_die "connection B did not start"
s2=$(new_sock "$s1")
e2e_wait 3 link_is "$s1" || true
tap_diag "connection A: $s1, connection B: $s2, link -> $(e2e_link)"

# 1. Kill the linked connection (A) while B lives: the next login and
# logout (with no watch: wait=0) must move the link to B and leave A's
# socket (the watch of 2. removes it).
e2e_wait 5 old_enough "$s1" || true
kill_conn "$s1"
wait "$c1" 2>/dev/null || true
left=no
[ -S "$s1" ] && left=yes
tap_diag "after SIGKILL: A's socket left behind: $left; link -> $(e2e_link)"
e2e_pam "$E2E_MODULE" wait=0
e2e_ssh B e2e true </dev/null
e2e_pam "$E2E_MODULE"
after_logout() { login_left "$s1" && link_is "$s2" && e2e_sock_live "$s2"; }
tap_diag "after the next login and logout: A's socket exists: $([ -e "$s1" ] && echo yes || echo no); link -> $(e2e_link)"
tap_check "killed connection: its socket was left behind by sshd (the case under test)" \
	test "$left" = yes
tap_check "killed connection: the next login and logout relinked to the live connection; its stale socket is left in /tmp (no shared place is listed at login) and in the home without a pid in its name (an hour), removed in a user: place and in the home with this host's hash and a dead pid" \
	after_logout

# 2. Kill B too: now nothing is alive.  A login (still open, no agent
# forwarding) must already have removed B's socket and the dead link.
e2e_wait 5 old_enough "$s2" || true
kill_conn "$s2"
wait "$c2" 2>/dev/null || true
left=no
[ -S "$s2" ] && left=yes
e2e_sshx B e2e "echo ready; exec sleep 600" </dev/null >"$E2E_DIR/c3.out" 2>&1 &
c3=$!
e2e_wait 10 ready "$E2E_DIR/c3.out" || e2e_die "connection 3 did not start"
cleaned() { stale_handled "$s1" && stale_handled "$s2" && [ -z "$(e2e_link)" ] && [ ! -L "$E2E_LINK" ]; }
tap_diag "last socket killed (left behind: $left); during the next login: B's socket exists: $([ -e "$s2" ] && echo yes || echo no), link -> '$(e2e_link)'"
tap_check "killed last connection: its socket was left behind by sshd" test "$left" = yes
e2e_wait 5 cleaned || true
tap_check "killed last connection: the next login removed the dead link, and its watch both stale sockets (in /tmp; kept for an hour in the home without a pid in its name)" cleaned
[ -z "$other" ] || tap_check "another host's dead socket in the same home is left alone ($other)" test -S "$other"
tap_check "no empty /tmp/ssh-* directory of a killed connection is left" \
	test -z "$(find /tmp -maxdepth 1 -name 'ssh-*' -empty -user "$E2E_USER")"
kill "$c3"
wait "$c3" 2>/dev/null || true
live_socks() { local s; for s in $(e2e_agent_socks); do e2e_sock_live "$s" && echo "$s"; done; return 0; }
gone() { [ -z "$(live_socks)" ] && [ ! -L "$E2E_LINK" ] &&
	[ -z "$(e2e_agent_socks | grep -v "^$E2E_HOME/")" ]; }
e2e_wait 3 gone || true
tap_check "after the last logout no live socket, no socket outside the home and no link are left" gone
tap_exit
