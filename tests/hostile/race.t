#!/bin/bash
# Races: while sessions open and close over and over, an attacker keeps
# exchanging the link's directory, or the link itself, between something
# harmless and a symbolic link to root's files (renameat2 RENAME_EXCHANGE,
# for a bounded time).  Whatever the module sees, it must not change
# anything outside alice's files nor link anything but her own socket.
set -eu
. "$(dirname "$0")/lib.sh"
hl_enter "$0" "$@"

RACE_SECS=${RACE_SECS:-3}
perl -e 'require "syscall.ph"; &SYS_renameat2' 2>/dev/null || {
	echo "1..0 # SKIP perl has no syscall.ph for renameat2"; exit 0; }

as() { local u=$1; shift; setpriv --reuid="$u" --regid="$u" --clear-groups "$@"; }

unctime() {
	sed -E -e "s#^($1|$2)( .*) ctime=[0-9.]+\$#\1\2#"
}

# race ATTACKER_UID A B ALLOWED_TARGET...: swap A and B as ATTACKER for
# RACE_SECS while alice's sessions open and close; checks every result.
race() {
	local who=$1 a=$2 b=$3 swapper runs=0 bad=0 code t nsucc=0 nerr=0
	shift 3
	hl_snapshot >"$ST/before"
	as "$who" perl "$HL_TOP/tests/hostile/swap.pl" "$RACE_SECS" "$a" "$b" \
		>"$ST/swaps" 2>&1 7<&- &
	swapper=$!
	while kill -0 $swapper 2>/dev/null; do
		runs=$((runs + 1))
		"$PAMDRIVE" -d "$CONF" -s sshd -u alice open close >"$ST/out.sshd" 2>&1 7<&- || true
		# close may report the module's error: libpam decides close's
		# actions by what each module returned at open (the frozen
		# chain), so an "optional" module that succeeded at open and
		# fails at close fails the close stack.  sshd only logs that.
		if ! grep -qx 'open: PAM_SUCCESS (Success)' "$ST/out.sshd" ||
		   ! grep -Eqx 'close: PAM_(SUCCESS|SESSION_ERR) .*' "$ST/out.sshd" ||
		   ! grep -qx 'fds: none left' "$ST/out.sshd"; then
			bad=$((bad + 1)); hl_diag <"$ST/out.sshd"
		fi
		"$PAMDRIVE" -d "$CONF" -s alone -u alice open >"$ST/out.alone" 2>&1 7<&- || true
		code=$(hl_code open "$ST/out.alone")
		case $code in
		PAM_SUCCESS) nsucc=$((nsucc + 1));;
		PAM_SESSION_ERR) nerr=$((nerr + 1));;
		*) bad=$((bad + 1)); hl_diag <"$ST/out.alone";; esac
		for l in "$LINK" /tmp/alice/agent.sock; do
			[ -L "$l" ] || continue
			# Swapped away between the test and the read: look again next round.
			t=$(readlink "$l") || continue
			case " $* " in *" $t "*) ;;
			*) bad=$((bad + 1)); echo "# $l -> $t";; esac
		done
	done
	wait $swapper || { bad=$((bad + 1)); hl_diag <"$ST/swaps"; }
	hl_wait_alice_gone || bad=$((bad + 1))
	echo "# $runs rounds of open+close and open, $(cat "$ST/swaps");" \
		"module open: $nsucc x PAM_SUCCESS, $nerr x PAM_SESSION_ERR"
	[ $runs -ge 5 ] || { bad=$((bad + 1)); echo "# too few rounds"; }
	hl_ok $bad "every login proceeded (open succeeded); module results were SUCCESS or SESSION_ERR; the link only ever pointed at alice's socket"
	hl_snapshot >"$ST/after"
	# The attacker's own renames change the ctime of A and B themselves.
	r=0
	diff -u <(unctime "$a" "$b" <"$ST/before") <(unctime "$a" "$b" <"$ST/after") \
		>"$ST/diff" || r=1
	hl_ok $r "nothing outside alice's own files changed"
	[ $r = 0 ] || hl_diag <"$ST/diff"
}

hl_case "~/.ssh swapped between a directory and a symlink to a root-owned copy of /etc"
mkdir -m 0700 $H/.ssh; ln -s $V/etc $H/.ssh-alt; mine $H/.ssh $H/.ssh-alt
d=$(tmpdir_of $ALICE aaaaaaaai1); sock $d/agent.4701 $ALICE
race $ALICE $H/.ssh $H/.ssh-alt $d/agent.4701
hl_check "no link appeared in the copy of /etc" bash -c "! ls -A $V/etc | grep -q agent"

hl_case "~/.ssh swapped between a directory and a symlink to /tmp"
mkdir -m 0700 $H/.ssh; ln -s /tmp $H/.ssh-alt; mine $H/.ssh $H/.ssh-alt
d=$(tmpdir_of $ALICE aaaaaaaai2); sock $d/agent.4702 $ALICE
race $ALICE $H/.ssh $H/.ssh-alt $d/agent.4702
hl_check "no link appeared in /tmp" test ! -L /tmp/agent-labhost.sock

hl_case "the link swapped between a symlink to a root-owned file and a directory"
mkdir -m 0700 $H/.ssh $H/.ssh/alt; ln -s $V/rootfile $LINK; mine $H/.ssh $H/.ssh/alt $LINK
d=$(tmpdir_of $ALICE aaaaaaaai3); sock $d/agent.4703 $ALICE
race $ALICE $LINK $H/.ssh/alt $d/agent.4703 $V/rootfile
hl_check "the root-owned file is intact" test "$(cat $V/rootfile)" = precious

hl_case "the link swapped between a symlink to a root-owned directory and a directory"
mkdir -m 0700 $H/.ssh $H/.ssh/alt; ln -s $V/rootdir $LINK; mine $H/.ssh $H/.ssh/alt $LINK
d=$(tmpdir_of $ALICE aaaaaaaai4); sock $d/agent.4704 $ALICE
race $ALICE $LINK $H/.ssh/alt $d/agent.4704 $V/rootdir
hl_check "nothing appeared in the root-owned directory" test -z "$(ls -A $V/rootdir)"

hl_case "link outside home: bob swaps /tmp/alice between his directory and a symlink to root's"
hl_conf "link=/tmp/%u/agent.sock"
mkdir -m 0755 /tmp/alice; ln -s $V/rootdir /tmp/alice-alt
chown -h $BOB:$BOB /tmp/alice /tmp/alice-alt
d=$(tmpdir_of $ALICE aaaaaaaai5); sock $d/agent.4705 $ALICE
race $BOB /tmp/alice /tmp/alice-alt
hl_check "nothing appeared in bob's or root's directory" \
	bash -c "[ -z \"\$(ls -A /tmp/alice)\" ] && [ -z \"\$(ls -A $V/rootdir)\" ]"

hl_case "alice's /tmp/ssh-* swapped with a symlink to bob's directory holding bob's live socket"
d=$(tmpdir_of $ALICE aaaaaaaai6); sock $d/agent.4706 $ALICE
b=$(tmpdir_of $BOB bbbbbbbbi6); chmod 0755 $b; sock $b/agent.4706 $BOB
ln -s $b /tmp/alt-i6; mine /tmp/alt-i6
race $ALICE $d /tmp/alt-i6 $d/agent.4706

hl_case "~/.ssh/agent swapped with a symlink to bob's directory holding a live socket of bob's"
mkdir -m 0700 $H/.ssh $H/.ssh/agent; mine $H/.ssh $H/.ssh/agent
sock $H/.ssh/agent/s.$HASH.sshd.aaaaaaaai7 $ALICE
mkdir -m 0755 /tmp/bobagent; chown $BOB:$BOB /tmp/bobagent
sock /tmp/bobagent/s.$HASH.sshd.aaaaaaaai7 $BOB
ln -s /tmp/bobagent $H/.ssh/agent-alt; mine $H/.ssh/agent-alt
race $ALICE $H/.ssh/agent $H/.ssh/agent-alt $H/.ssh/agent/s.$HASH.sshd.aaaaaaaai7

# The module connects with euid 0: by a path, a swap at the right moment
# would hand root's connect() to any socket alice can name.
hl_case "alice swaps her live socket with her symlink to a socket of root's"
sock $V/root.sock 0
rootout=$HL_FIX_OUT
# As root services' sockets often are (D-Bus's): anyone may connect.
chmod 0666 $V/root.sock
d=$(tmpdir_of $ALICE aaaaaaaai8); sock $d/agent.4708 $ALICE
ln -s $V/root.sock $d/alt; chown -h $ALICE:$ALICE $d/alt
race $ALICE $d/agent.4708 $d/alt $d/agent.4708
hl_check "root's socket was never connected to ($(grep -c accepted "$rootout" || true) connections)" \
	test "$(grep -c accepted "$rootout" || true)" = 0

hl_done
