# lib.sh - shared by tests/hostile/*.t (bash; sourced).
#
# Every .t re-executes itself inside tests/lib/ns-run (as root, private
# namespaces: /tmp, /home and /run are private tmpfs, users alice 4101,
# bob 4102, carol 4103, host name labhost) and drives the real module
# through the real libpam with tests/tools/pamdrive.
#
# A case is:   hl_case NAME; <plant hostile files>; hl_run OPEN CLOSE
# hl_run runs two transactions and checks, each as its own TAP line:
#   1. the module's own results for open_session and close_session
#      (service "alone": the module is the only line, "required", so the
#      stack result is the module's; a lone PAM_IGNORE comes out of libpam
#      as PAM_PERM_DENIED, which hl_run reads back as PAM_IGNORE);
#   2. the documented sshd stack ("session optional" module line, then
#      pam_permit) succeeds for open and close and leaves no descriptor;
#   3. nothing outside alice's own files changed: snapshot.pl lists owner,
#      mode, content hash, times and link target of everything not alice's
#      under /tmp, /home, /run/hostile/victim and /etc/security, before
#      and after (after alice's watch processes have ended);
#   4. if the link exists, it points at a socket owned by alice.

HL_TOP=${NS_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PAMDRIVE=$HL_TOP/tests/tools/pamdrive
SOCKFIX=$HL_TOP/tests/tools/sockfix
MODULE_SO=$HL_TOP/tests/build/pam_agentlink.so
SNAPSHOT=$HL_TOP/tests/hostile/snapshot.pl

ALICE=4101
BOB=4102
H=/home/alice
LINK=$H/.ssh/agent-labhost.sock
# OpenSSH >= 10.1's host hash of "labhost" (al_hosthash).
HASH=AQuO2QT9yn
HL=/run/hostile
V=$HL/victim
CONF=$HL/conf
ST=$HL/state
HL_ROOTS="/tmp /home $V /etc/security"

hl_n=0
hl_failed=0
hl_name=
HL_FIX_PIDS=()

# Re-executes the calling .t inside ns-run unless already there.
hl_enter() {
	if [ "${NS_RUN_INSIDE:-}" != 1 ]; then
		local self
		self=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
		shift
		exec "$HL_TOP/tests/lib/ns-run" "$self" "$@"
	fi
	local f
	for f in "$PAMDRIVE" "$SOCKFIX" "$MODULE_SO"; do
		[ -e "$f" ] || { echo "Bail out! $f is not built (make check-build)"; exit 1; }
	done
	mkdir -p "$CONF" "$ST" "$HL/etc-security"
	# The module reads /etc/security/agentlink.conf: give this namespace a
	# private copy, so cases can plant one without touching the host.
	if [ -d /etc/security ]; then
		cp -a /etc/security/. "$HL/etc-security/"
		mount --bind "$HL/etc-security" /etc/security
	else
		echo "Bail out! /etc/security is missing"
		exit 1
	fi
	mkfifo "$ST/hold"
	# Held open read-write: fixtures reading it never see end of file.
	exec 7<>"$ST/hold"
	hl_conf
}

# Writes the two PAM services with the module's options ("debug" always).
hl_conf() {
	local opts="debug $*"
	printf 'session optional %s %s\nsession required pam_permit.so\n' \
		"$MODULE_SO" "$opts" >"$CONF/sshd"
	printf 'session required %s %s\n' "$MODULE_SO" "$opts" >"$CONF/alone"
}

# HL_TODO (set by a case, cleared by hl_case): a known gap; the case's
# lines are TAP TODO tests, reported but not failing the suite.
HL_TODO=
hl_ok() {	# hl_ok STATUS DESCRIPTION
	local todo=${HL_TODO:+ # TODO $HL_TODO}
	hl_n=$((hl_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $hl_n - $hl_name: $2$todo"
	else
		echo "not ok $hl_n - $hl_name: $2$todo"
		[ -n "$todo" ] || hl_failed=$((hl_failed + 1))
	fi
}

hl_diag() { sed 's/^/# /'; }

hl_done() {
	hl_kill_fixtures
	echo "1..$hl_n"
	[ "$hl_failed" = 0 ]
}

# ---- fixtures ----

# sock PATH UID: a live listening socket owned by UID (until the case ends);
# HL_FIX_OUT is its output, an "accepted" line per connection.
sock() {
	local out="$ST/fix.$RANDOM.$RANDOM" i
	HL_FIX_OUT=$out
	"$SOCKFIX" "$1" "$2" >"$out" 2>&1 <"$ST/hold" &
	HL_FIX_PIDS+=($!)
	for i in $(seq 1 500); do
		grep -q ready "$out" 2>/dev/null && return 0
		sleep 0.01
	done
	echo "# sockfix $1 did not start:"; hl_diag <"$out"
	return 1
}

# deadsock PATH UID: a socket file nobody listens on (a killed sshd's).
deadsock() {
	sock "$1" "$2"
	local pid=${HL_FIX_PIDS[-1]}
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	unset 'HL_FIX_PIDS[-1]'
}

hl_kill_fixtures() {
	local p
	for p in "${HL_FIX_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	HL_FIX_PIDS=()
}

# A fresh /tmp/ssh-XXXXXXXXXX directory owned by UID (mode 0700).
tmpdir_of() {	# tmpdir_of UID SUFFIX10
	local d=/tmp/ssh-$2
	mkdir -m 0700 "$d"
	chown "$1:$1" "$d"
	echo "$d"
}

# Makes PATH... owned by alice.
mine() { chown -h "$ALICE:$ALICE" "$@"; }

# Waits (bounded) until no process of alice's is left: the module's watch
# ends when pamdrive (its "sshd monitor") exits.
hl_wait_alice_gone() {
	local i
	for i in $(seq 1 500); do
		ps -u "$ALICE" -o stat= | grep -qv '^Z' || return 0
		sleep 0.01
	done
	echo "# alice still has processes:"
	ps -u "$ALICE" -o pid,stat,args | hl_diag
	return 1
}

# Back to a clean host: alice's home empty, /tmp empty, the root-owned
# victim files fresh.  A copy of /etc is what the cases aim at.
hl_reset() {
	local m
	hl_kill_fixtures
	HL_DRIVE_ARGS=()
	hl_wait_alice_gone >/dev/null || true
	# The project tree may be bind-mounted below /tmp (a checkout there,
	# see ns-run): never unmount or remove it.
	local keep=
	case $NS_TOP in /tmp/?*) keep=${NS_TOP#/tmp/}; keep=/tmp/${keep%%/*} ;; esac
	for m in $(findmnt -rn -o TARGET | grep -E "^($H|/tmp/)" | sort -r); do
		case $m in "$NS_TOP"|"$NS_TOP"/*) continue ;; esac
		umount -l "$m"
	done
	for m in /tmp/* /tmp/.[!.]*; do
		[ -e "$m" ] || [ -L "$m" ] || continue
		[ "$m" = "$keep" ] && continue
		rm -rf "$m"
	done
	rm -rf "$H" "$V"
	# Only inside the private bind mount of hl_enter.
	findmnt -n /etc/security >/dev/null && rm -f /etc/security/agentlink.conf
	mkdir -m 0700 "$H"
	mine "$H"
	mkdir -p "$V/etc" "$V/rootdir"
	cp -a /etc/passwd /etc/group /etc/hostname /etc/pam.d "$V/etc/"
	echo precious >"$V/rootfile"
	chmod 0644 "$V/rootfile"
	chmod 0755 "$V" "$V/etc" "$V/rootdir"
	hl_conf
}

hl_case() {
	hl_name=$1
	HL_TODO=
	hl_reset
	hl_log_from=$(($(wc -l <"$NS_SYSLOG") + 1))
}

# The module logged PATTERN (grep -E) during this case: it refused for
# the reason the case is about.
hl_logged() {
	hl_check "the module logged \"$1\"" \
		bash -c 'tail -n +"$1" "$2" | grep "pam_agentlink" | grep -E -- "$3" ||
			{ tail -n +"$1" "$2"; exit 1; }' - "$hl_log_from" "$NS_SYSLOG" "$1"
}

# ---- running and checking ----

# Module result name of a line "open: PAM_X (...)" from the "alone" service.
hl_code() {
	local c
	c=$(sed -n "s/^$1: \\([A-Z_]*\\) .*/\\1/p" "$2")
	[ "$c" = PAM_PERM_DENIED ] && c=PAM_IGNORE
	echo "${c:-none}"
}

hl_snapshot() { perl "$SNAPSHOT" "$ALICE" $HL_ROOTS; }

# The link, if there, points at a socket of alice's.
hl_link_check() {	# hl_link_check [LINKPATH]
	local l=${1:-$LINK} t
	if [ ! -L "$l" ]; then
		hl_ok 0 "no link, or the link points at a socket of alice"
		return
	fi
	t=$(readlink "$l")
	if [ -S "$t" ] && [ ! -L "$t" ] && [ "$(stat -c %u "$t")" = "$ALICE" ]; then
		hl_ok 0 "link points at alice's socket $t"
	else
		hl_ok 1 "link points at $t, not a socket of alice"
		ls -la "$t" 2>&1 | hl_diag
	fi
}

# hl_drive SERVICE ACTION... : pamdrive output into $ST/out.<service>
# HL_DRIVE_ARGS: more pamdrive options for the case (e.g. -t tty1).
HL_DRIVE_ARGS=()
hl_drive() {
	local svc=$1
	shift
	"$PAMDRIVE" -d "$CONF" -s "$svc" -u alice -e AGENTLINK_SOCK \
		${HL_DRIVE_ARGS[@]+"${HL_DRIVE_ARGS[@]}"} "$@" \
		>"$ST/out.$svc" 2>&1 7<&- || true
	hl_wait_alice_gone || true
}

# hl_run WANT_OPEN WANT_CLOSE [LINKPATH|-]
hl_run() {
	local want_open=$1 want_close=$2 got_open got_close r
	hl_snapshot >"$ST/before"

	hl_drive alone open close
	got_open=$(hl_code open "$ST/out.alone")
	got_close=$(hl_code close "$ST/out.alone")
	r=0
	[ "$got_open $got_close" = "$want_open $want_close" ] || r=1
	hl_ok $r "module returns $want_open at open and $want_close at close"
	[ $r = 0 ] || { echo "# got $got_open and $got_close:"; hl_diag <"$ST/out.alone"; }

	hl_drive sshd open close
	r=0
	{ grep -qx 'open: PAM_SUCCESS (Success)' "$ST/out.sshd" &&
		grep -qx 'close: PAM_SUCCESS (Success)' "$ST/out.sshd" &&
		grep -qx 'fds: none left' "$ST/out.sshd" &&
		grep -qx 'fds: none left' "$ST/out.alone"; } || r=1
	hl_ok $r "with session optional the login proceeds; no descriptor left"
	[ $r = 0 ] || hl_diag <"$ST/out.sshd"

	hl_snapshot >"$ST/after"
	r=0
	diff -u "$ST/before" "$ST/after" >"$ST/diff" || r=1
	hl_ok $r "nothing outside alice's own files changed"
	[ $r = 0 ] || hl_diag <"$ST/diff"
	# "-": the link path holds someone else's link, checked by the case.
	[ "${3:-}" = - ] || hl_link_check "${3:-$LINK}"
}

# An extra assertion for the case: hl_check DESCRIPTION COMMAND...
hl_check() {
	local d=$1 r
	shift
	r=0
	"$@" >"$ST/check" 2>&1 || r=1
	hl_ok $r "$d"
	[ $r = 0 ] || hl_diag <"$ST/check"
}
