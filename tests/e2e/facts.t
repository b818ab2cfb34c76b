#!/bin/bash
# facts.t - what the module assumes about Debian's sshd, checked against
# the real one (pam_exec records what PAM items each call sees):
#   - open_session sees PAM_TTY "ssh" (the module's scope test);
#   - sshd may change PAM_TTY to the pty before close_session, and the
#     module still acts at close (it remembers the open with pam_set_data);
#   - the pid in the socket's name (agent.<pid>, s.<hash>.sshd.<pid>.*) is a
#     direct child of the process
#     that ran open_session, the privileged monitor (the watch's is_own test),
#     so the watch recognises its own connection's socket.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent setpriv ss

e2e_setup
rec=$E2E_DIR/pamitems.log
printf '#!/bin/sh\necho "$PAM_TYPE tty=$PAM_TTY caller=$PPID" >>%s\n' "$rec" \
	>"$E2E_DIR/pamitems.sh"
chmod 0755 "$E2E_DIR/pamitems.sh"
e2e_pam "$E2E_MODULE" debug
echo "session optional pam_exec.so $E2E_DIR/pamitems.sh" >>"$E2E_PAM"
e2e_sshd_start
tap_plan 10

ready() { grep -q ready "$1" 2>/dev/null; }
gone() { [ ! -L "$E2E_LINK" ]; }
closed() { grep -q '^close_session' "$rec" 2>/dev/null; }
logged() { tail -n +$((mark + 1)) "$NS_SYSLOG" | grep -qF "$1"; }

for mode in notty pty; do
	args=(-A)
	[ "$mode" = pty ] && args=(-A -tt)
	: >"$rec"
	mark=$(wc -l <"$NS_SYSLOG")
	e2e_sshx A "${args[@]}" e2e 'echo ready; exec cat >/dev/null' <"$E2E_HOLD" >"$E2E_DIR/c.out" 2>&1 &
	c=$!
	e2e_wait 10 ready "$E2E_DIR/c.out" || e2e_die "$mode: login did not start"
	sock=$(e2e_agent_socks | head -1)
	pid=$(e2e_sock_pid "$sock")
	ppid=$(awk '{print $4}' "/proc/$pid/stat")
	caller=$(sed -n 's/^open_session .*caller=//p' "$rec")
	opentty=$(sed -n 's/^open_session tty=\([^ ]*\) .*/\1/p' "$rec")
	tap_diag "$mode: open_session ran in pid $caller with PAM_TTY=$opentty; socket $sock; its pid $pid ($(ps -o args= -p "$pid")) has parent $ppid ($(ps -o args= -p "$ppid"))"
	tap_check "$mode: open_session sees PAM_TTY=ssh" test "$opentty" = ssh
	tap_check "$mode: the socket's pid's parent is the process that ran open_session" \
		test "$ppid" = "$caller"
	# Its title says "[priv]" up to OpenSSH 10.5, "[postauth]" in 10.6.
	monitor() { [ "$(ps -o uid= -p "$1" | tr -d ' ')" = 0 ] &&
		ps -o comm= -p "$1" | grep -q '^sshd'; }
	tap_check "$mode: that process is sshd's privileged monitor (root, sshd's binary)" \
		monitor "$ppid"
	e2e_wait 3 logged "watch: own socket $sock is live; done" || true
	tap_check "$mode: the watch recognised its own connection's socket and ended" \
		logged "watch: own socket $sock is live; done"
	kill "$c"
	wait "$c" 2>/dev/null || true
	e2e_wait 3 closed || true
	e2e_wait 3 gone || true
	closetty=$(sed -n 's/^close_session tty=\([^ ]*\) .*/\1/p' "$rec")
	tap_diag "$mode: close_session sees PAM_TTY=$closetty"
	both() { gone && logged "close: removed $E2E_LINK"; }
	tap_check "$mode: close_session (PAM_TTY=$closetty) still settles the link: removed" both
done
tap_exit
