#!/bin/bash
# Hostile or broken home directories: missing, unreadable, read-only,
# full.  The module never creates a home, reports the failure, and the
# login proceeds.
set -eu
. "$(dirname "$0")/lib.sh"
hl_enter "$0" "$@"

hl_case "home directory does not exist"
rm -rf $H
d=$(tmpdir_of $ALICE aaaaaaaaf1); sock $d/agent.4501 $ALICE
hl_run PAM_IGNORE PAM_IGNORE
hl_logged "home directory /home/alice of alice"
hl_check "the home directory was not created" test ! -e $H

hl_case "home directory is a dangling symlink (left by root)"
rm -rf $H; ln -s /nonexistent $H
d=$(tmpdir_of $ALICE aaaaaaaaf2); sock $d/agent.4502 $ALICE
hl_run PAM_IGNORE PAM_IGNORE -
hl_check "/nonexistent was not created" test ! -e /nonexistent

hl_case "home directory is a root-owned regular file"
rm -rf $H; echo notadir >$H
d=$(tmpdir_of $ALICE aaaaaaaaf3); sock $d/agent.4503 $ALICE
hl_run PAM_IGNORE PAM_IGNORE -

hl_case "home directory mode 000 (alice cannot enter it)"
chmod 000 $H
d=$(tmpdir_of $ALICE aaaaaaaaf4); sock $d/agent.4504 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR
hl_check "nothing was created in it" test -z "$(ls -A $H)"

hl_case "home directory owned by root, mode 0700"
chown root:root $H
d=$(tmpdir_of $ALICE aaaaaaaaf5); sock $d/agent.4505 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR
hl_check "nothing was created in it" test -z "$(ls -A $H)"

hl_case "home directory owned by bob, mode 0755"
chown $BOB:$BOB $H; chmod 0755 $H
d=$(tmpdir_of $ALICE aaaaaaaaf6); sock $d/agent.4506 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR
hl_check "nothing was created in it" test -z "$(ls -A $H)"

hl_case "home on a read-only mount, no ~/.ssh"
mount -t tmpfs -o size=1m,mode=0700 hlhome $H; mine $H
mount -o remount,ro $H
d=$(tmpdir_of $ALICE aaaaaaaaf7); sock $d/agent.4507 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR
hl_logged "Read-only file system"
hl_check "the mount is still read-only and empty" \
	bash -c "findmnt -n -o OPTIONS $H | grep -qw ro && [ -z \"\$(ls -A $H)\" ]"

hl_case "home on a read-only mount with a link to a dead socket"
mount -t tmpfs -o size=1m,mode=0700 hlhome $H; mine $H
mkdir -m 0700 $H/.ssh; mine $H/.ssh
# Named after a running process (this shell): not stale, so cleanup
# leaves it and its directory, and only the home's failure is under test.
deadsock "$(tmpdir_of $ALICE aaaaaaaaf8)/agent.$$" $ALICE
ln -s /tmp/ssh-aaaaaaaaf8/agent.$$ $LINK; mine $LINK
mount -o remount,ro $H
d=$(tmpdir_of $ALICE aaaaaaaaf9); sock $d/agent.4509 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR -
hl_check "the old link is unchanged" test "$(readlink $LINK)" = /tmp/ssh-aaaaaaaaf8/agent.$$

# No inode and no block left: a new symlink cannot be made.
fill() {
	local i
	dd if=/dev/zero of=$H/fill bs=4k 2>/dev/null || true
	for i in $(seq 1 64); do { : >$H/f$i; } 2>/dev/null || break; done
	mine $H/* 2>/dev/null || true
}

hl_case "home on a full filesystem (tmpfs, no inode or block left)"
mount -t tmpfs -o size=64k,nr_inodes=8,mode=0700 hlhome $H; mine $H
mkdir -m 0700 $H/.ssh; mine $H/.ssh
fill
d=$(tmpdir_of $ALICE aaaaaaaag1); sock $d/agent.4511 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR
hl_check "no temporary link was left behind" bash -c "! ls -A $H/.ssh | grep -q tmp"
hl_logged "No space left on device"

hl_case "home on a full filesystem, with a link to a dead socket"
mount -t tmpfs -o size=64k,nr_inodes=8,mode=0700 hlhome $H; mine $H
mkdir -m 0700 $H/.ssh; mine $H/.ssh
deadsock "$(tmpdir_of $ALICE aaaaaaaag2)/agent.$$" $ALICE
ln -s /tmp/ssh-aaaaaaaag2/agent.$$ $LINK; mine $LINK
fill
hl_run PAM_SUCCESS PAM_SUCCESS
hl_check "the link to the dead socket was removed" test ! -L $LINK

hl_done
