#!/bin/bash
# helper.t - the watch is agentlink-watch, exec'd as the user with an
# empty environment and nothing of sshd's: no mapping of sshd's binary, no
# descriptor of sshd's, no process of the user's running sshd's binary
# outside sshd's own session processes.  A watch the user has stopped is
# ended by close_session and changes nothing afterwards.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent setpriv ss

e2e_setup
e2e_pam "$E2E_MODULE" debug
e2e_sshd_start
tap_plan 9

ready() { grep -q ready "$1" 2>/dev/null; }
have_watch() { [ -n "$(e2e_watch_pids)" ]; }
no_watch() { [ -z "$(e2e_watch_pids)" ]; }

# A login without -A: its watch waits for a socket that never comes.
e2e_sshx A e2e "echo ready; exec sleep 600" </dev/null >"$E2E_DIR/c1.out" 2>&1 &
c1=$!
e2e_wait 10 ready "$E2E_DIR/c1.out" || e2e_die "login did not start"
e2e_wait 3 have_watch || true
w=$(e2e_watch_pids | head -1)
tap_diag "watch: ${w:-none}; $(ps -o pid,ppid,user,args -p "${w:-1}" | tail -1)"
exe=$(readlink "/proc/$w/exe" 2>/dev/null || true)
tap_check "the watch runs the helper ($exe)" test "$exe" = "$E2E_TOP/pam_agentlink/watch/agentlink-watch"
tap_check "its environment is empty" test -z "$(tr -d '\0' <"/proc/$w/environ" 2>/dev/null)"
ids() { awk '/^(Uid|Gid):/ { print $2, $3, $4, $5 } /^(Groups|NoNewPrivs):/ { print $1, $2 }' "/proc/$w/status"; }
want_ids=$(printf '%s\n' "$E2E_UID $E2E_UID $E2E_UID $E2E_UID" "$E2E_UID $E2E_UID $E2E_UID $E2E_UID" \
	"Groups: " "NoNewPrivs: 1")
tap_diag "ids: $(ids | tr '\n' ';')"
tap_check "it runs as alice alone: every uid and gid hers, no supplementary group, no_new_privs" \
	test "$(ids)" = "$want_ids"
tap_check "nothing of sshd is mapped in it" eval '! grep -q sshd "/proc/$w/maps"'
fds=$(for f in /proc/"$w"/fd/*; do readlink "$f"; done | sort | tr '\n' ' ')
tap_diag "its descriptors: $fds"
# Its own syslog socket is a Unix socket; a descriptor of sshd's (the
# client's TCP connection, the monitor's pipes) would be anything else.
fds_ok() {
	local f socks=0
	for f in /proc/"$w"/fd/*; do
		case $(readlink "$f") in
		/dev/null|anon_inode:inotify|anon_inode:\[pidfd\]|/tmp*|/home/*) ;;
		socket:*) socks=$((socks + 1)) ;;
		*) return 1 ;;
		esac
	done
	[ "$socks" -le 1 ] && [ "$(ss -xpn | grep -c "pid=$w,")" = "$socks" ]
}
tap_check "its descriptors are /dev/null, its inotify instance, its pidfd and its syslog socket: none of sshd's" fds_ok
tap_check "no process of alice's runs sshd's binary outside sshd's session processes" \
	test -z "$(e2e_stray_sshd_pids)"

# The user stops the watch, then the connection ends.
kill -STOP "$w"
mark=$(wc -l <"$NS_SYSLOG")
kill "$c1"
wait "$c1" 2>/dev/null || true
e2e_wait 3 no_watch || true
tap_check "close_session ends the stopped watch" no_watch
tap_check "and says so" eval 'tail -n +$((mark + 1)) "$NS_SYSLOG" | grep -q "watch $w did not end at once; killed it"'
# A socket of alice's appears after close: a watch left running would link it.
d=$(mktemp -d /tmp/ssh-XXXXXXXXXX)
chown alice: "$d"
tests_sockfix=$E2E_TOP/tests/tools/sockfix
"$tests_sockfix" "$d/agent.1" "$E2E_UID" <"$E2E_HOLD" >"$E2E_DIR/fix.out" 2>&1 &
fix=$!
e2e_wait 3 ready "$E2E_DIR/fix.out" || true
kill -CONT "$w" 2>/dev/null || true
linked() { [ -L "$E2E_LINK" ]; }
st=0
e2e_wait 1 linked && st=1
tap_check "after close, nothing links the new socket (no watch acts)" test "$st" = 0
kill "$fix" 2>/dev/null || true
tap_exit
