#!/bin/bash
# Bounds: whatever alice or other users create, the module's work as root
# is bounded, other users' entries are never opened, and alice's own live
# socket is still found.
set -eu
. "$(dirname "$0")/lib.sh"
hl_enter "$0" "$@"

# deadsocks DIR N NAMEFMT UID MTIME: N socket files nobody listens on.
deadsocks() {
	perl -MSocket -e '
		my ($dir, $n, $fmt, $uid, $mtime) = @ARGV;
		for my $i (1 .. $n) {
			my $p = sprintf("%s/$fmt", $dir, $i);
			socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
			bind($s, pack_sockaddr_un($p)) or die "bind $p: $!";
			close $s;
			chown $uid, $uid, $p;
			utime $mtime, $mtime, $p;
		}' "$@"
}
count() { find "$1" -mindepth 1 -maxdepth 1 | wc -l; }

hl_case "3000 dead sockets of alice's in ~/.ssh/agent dated a day ahead, one live socket in /tmp"
mkdir -m 0700 $H/.ssh $H/.ssh/agent; mine $H/.ssh $H/.ssh/agent
deadsocks $H/.ssh/agent 3000 "s.$HASH.sshd.%010d" $ALICE $(($(date +%s) + 86400))
d=$(tmpdir_of $ALICE aaaaaaaaj1); sock $d/agent.4801 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
hl_check "the link points at the live socket, not one of the future-dated" \
	test "$(readlink $LINK)" = $d/agent.4801
left=$(count $H/.ssh/agent)
hl_check "the dead sockets are removed a bounded number at a time (at most 256 a scan, four scans at most): $((3000 - left)) removed" \
	test "$left" -ge $((3000 - 4 * 256)) -a "$left" -lt 3000
hl_logged "alice has more agent sockets than the module looks at"

hl_case "20,000 empty ssh-XXXXXXXXXX directories of bob's in /tmp, mode 0755"
perl -e 'for my $i (1 .. 20000) { my $p = sprintf("/tmp/ssh-bob%07d", $i);
	mkdir $p, 0755 or die "$p: $!"; chown 4102, 4102, $p }'
d=$(tmpdir_of $ALICE aaaaaaaaj2); sock $d/agent.4802 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
hl_check "alice's live socket is linked" test "$(readlink $LINK)" = $d/agent.4802
hl_check "bob's directories are all still there" \
	test "$(find /tmp -maxdepth 1 -name 'ssh-bob*' -user bob | wc -l)" = 20000
# The login path finds alice's socket in the kernel's list of listening
# sockets: it neither lists /tmp nor looks at, let alone opens, bob's
# entries (their cost to a login must be nothing).
if command -v strace >/dev/null; then
	rm -f "$LINK"
	strace -f -qq -y -e trace=openat,openat2,statx,newfstatat,getdents64 \
		-o "$ST/trace" "$PAMDRIVE" -d "$CONF" -s sshd -u alice open close \
		>"$ST/out.trace" 2>&1 7<&- || true
	hl_wait_alice_gone || true
	hl_check "traced login: open and close succeed and link alice's socket" \
		bash -c 'grep -qx "open: PAM_SUCCESS (Success)" "$1" && grep -qx "close: PAM_SUCCESS (Success)" "$1" && test "$(readlink "$2")" = "$3"' - "$ST/out.trace" "$LINK" $d/agent.4802
	hl_check "traced login: no watch was started (alice's agent answered)" \
		bash -c '! grep -q "agentlink-watch" "$1"' - "$ST/trace"
	hl_check "traced login: /tmp is not listed" \
		bash -c '! grep -E "getdents64\([0-9]+</tmp>" "$1"' - "$ST/trace"
	hl_check "traced login: none of bob's 20,000 entries is looked at or opened" \
		bash -c '! grep "ssh-bob" "$1"' - "$ST/trace"
else
	for what in "traced login: alice's socket linked" "traced login: no watch" \
		"traced login: /tmp is not listed" "traced login: bob's entries untouched"; do
		hl_n=$((hl_n + 1))
		echo "ok $hl_n - $hl_name: $what # SKIP strace is not installed"
	done
fi
find /tmp -maxdepth 1 -name 'ssh-bob*' -exec rmdir {} +

# /tmp that nobody but root may list (a hardening some sites use): sshd
# still makes its directories there, and the login finds alice's socket
# without listing /tmp.
hl_case "/tmp mode 1733 (sticky, writable, not listable) holding alice's live socket"
d=$(tmpdir_of $ALICE aaaaaaaaj4); sock $d/agent.4804 $ALICE
chmod 1733 /tmp
hl_run PAM_SUCCESS PAM_SUCCESS
hl_check "open links alice's live socket in the unlistable /tmp" \
	test "$(readlink $LINK)" = $d/agent.4804
hl_logged "linked $LINK -> $d/agent.4804"
chmod 1777 /tmp

# Another user's listening sockets are in the kernel's list open and close
# read: past the bound of alice's own records (16,384), they must not crowd
# hers out.
hl_case "17,000 listening sockets of bob's (in his /tmp/bobsocks) and alice's live socket"
mkdir -m 0700 /tmp/bobsocks; chown $BOB:$BOB /tmp/bobsocks
(ulimit -n 20000 && exec setpriv --reuid=$BOB --regid=$BOB --clear-groups \
	perl -MSocket -e '
		my @s;
		for my $i (1 .. 17000) {
			socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
			bind($s, pack_sockaddr_un("/tmp/bobsocks/s$i")) or die "bind: $!";
			listen($s, 1) or die "listen: $!";
			push @s, $s;
		}
		$| = 1; print "ready\n"; <STDIN>;') <"$ST/hold" >"$ST/bobsocks.out" 2>&1 &
HL_FIX_PIDS+=($!)
for _ in $(seq 1 1000); do grep -q ready "$ST/bobsocks.out" && break; sleep 0.01; done
hl_check "bob's 17,000 sockets listen" bash -c 'grep -q ready "$1" &&
	test "$(ss -xlH | grep -c /tmp/bobsocks/)" -ge 17000' - "$ST/bobsocks.out"
d=$(tmpdir_of $ALICE aaaaaaaaj5); sock $d/agent.4805 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
hl_check "alice's live socket is linked" test "$(readlink $LINK)" = $d/agent.4805
hl_check "nothing was cut from the list" \
	bash -c '! tail -n +"$1" "$2" | grep -q "listening sockets of"' - \
	"$hl_log_from" "$NS_SYSLOG"
# Where in the kernel's list alice's socket comes is the hash table's
# order, so the crowding itself shows only by chance; the count shows
# always: every record read, and bob's none of the bound's.
hl_check "bob's records were read and none counted against alice's bound" \
	bash -c 'tail -n +"$1" "$2" | grep -E "listening sockets: [0-9]+ read, [0-9]+ possibly" |
		awk "{ for (i = 1; i <= NF; i++) { if (\$i == \"read,\") r = \$(i-1);
			if (\$i == \"possibly\") p = \$(i-1) } }
			END { exit !(NR > 0 && r >= 17000 && p >= 1 && p <= 2) }"' - \
	"$hl_log_from" "$NS_SYSLOG"

# A FUSE mount that never answers, where fuse.conf's user_allow_other lets
# a user put one: stat() of it, or opening it, would wait for ever.
hl_case "bob's FUSE mount that never answers, on /tmp/ssh-bobfuse001"
if [ -c /dev/fuse ] && grep -qw fuse /proc/filesystems; then
	mkdir -m 0755 /tmp/ssh-bobfuse001; chown $BOB:$BOB /tmp/ssh-bobfuse001
	"$HL_TOP/tests/tools/fusehang" /tmp/ssh-bobfuse001 $BOB <"$ST/hold" >"$ST/fuse.out" 2>&1 &
	HL_FIX_PIDS+=($!)
	for _ in $(seq 1 500); do grep -q ready "$ST/fuse.out" && break; sleep 0.01; done
	hl_check "the mount is there and does not answer (stat of it times out)" \
		bash -c 'grep -q ready "$1" && ! timeout 1 stat /tmp/ssh-bobfuse001/. >/dev/null 2>&1' - "$ST/fuse.out"
	d=$(tmpdir_of $ALICE aaaaaaaaj3); sock $d/agent.4803 $ALICE
	rc=0
	timeout -k 1 10 "$PAMDRIVE" -d "$CONF" -s sshd -u alice open close >"$ST/out.sshd" 2>&1 7<&- || rc=$?
	hl_check "alice's login went through (open and close returned, rc $rc)" \
		bash -c '[ "$1" = 0 ] && grep -qx "open: PAM_SUCCESS (Success)" "$2" && grep -qx "close: PAM_SUCCESS (Success)" "$2"' - "$rc" "$ST/out.sshd"
	hl_check "alice's live socket is linked" test "$(readlink $LINK)" = $d/agent.4803
	hl_wait_alice_gone || true
else
	hl_n=$((hl_n + 1))
	echo "ok $hl_n - $hl_name # SKIP no FUSE here (/dev/fuse or the fuse file system is missing)"
fi

hl_done
