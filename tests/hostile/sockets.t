#!/bin/bash
# Hostile sockets: only a socket owned by alice, in a directory owned by
# alice and writable by nobody else, named as sshd names its own, is ever
# linked; nothing else is linked, followed or removed.
set -eu
. "$(dirname "$0")/lib.sh"
hl_enter "$0" "$@"

nolink() { hl_check "no link was made" test ! -e $LINK -a ! -L $LINK; }
ssh_dir() { mkdir -m 0700 $H/.ssh; mine $H/.ssh; }

hl_case "bob's live socket in bob's /tmp/ssh-*, the only live one"
b=$(tmpdir_of $BOB bbbbbbbbc1); sock $b/agent.5101 $BOB
deadsock "$(tmpdir_of $ALICE aaaaaaaad1)/agent.$$" $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
nolink

hl_case "bob's live socket in alice's /tmp/ssh-*"
d=$(tmpdir_of $ALICE aaaaaaaad2); sock $d/agent.5102 $BOB
hl_run PAM_SUCCESS PAM_SUCCESS
nolink

hl_case "bob's /tmp/ssh-* (mode 0755) holding alice's live socket"
b=$(tmpdir_of $BOB bbbbbbbbc3); chmod 0755 $b; sock $b/agent.4403 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
nolink

hl_case "alice's world-writable /tmp/ssh-* holding her live socket"
d=$(tmpdir_of $ALICE aaaaaaaad4); chmod 0777 $d; sock $d/agent.4404 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
nolink

hl_case "alice's group-writable /tmp/ssh-* holding her dead socket (no cleanup there)"
d=$(tmpdir_of $ALICE aaaaaaaad5); chmod 0770 $d; deadsock $d/agent.4405 $ALICE
touch -d '-1 hour' $d/agent.4405
hl_run PAM_SUCCESS PAM_SUCCESS
hl_check "the dead socket was left alone" test -S $d/agent.4405

hl_case "bob's dead socket named like sshd's in bob's /tmp/ssh-* (no cleanup of bob's)"
b=$(tmpdir_of $BOB bbbbbbbbc6); deadsock $b/agent.5106 $BOB
touch -h -d '-1 hour' $b/agent.5106
hl_run PAM_SUCCESS PAM_SUCCESS
nolink

hl_case "bob's symlink /tmp/ssh-* pointing at alice's directory with a live socket"
mkdir -m 0700 /tmp/elsewhere; mine /tmp/elsewhere; sock /tmp/elsewhere/agent.4407 $ALICE
ln -s /tmp/elsewhere /tmp/ssh-bbbbbbbbc7; chown -h $BOB:$BOB /tmp/ssh-bbbbbbbbc7
hl_run PAM_SUCCESS PAM_SUCCESS
nolink

hl_case "a regular file, a FIFO and a directory named agent.<pid> in alice's /tmp/ssh-*"
d=$(tmpdir_of $ALICE aaaaaaaad8)
echo data >$d/agent.4408; mkfifo $d/agent.4409; mkdir $d/agent.4410
mine $d/agent.4408 $d/agent.4409 $d/agent.4410
touch -d '-1 hour' $d/agent.4408 $d/agent.4409 $d/agent.4410
hl_run PAM_SUCCESS PAM_SUCCESS
nolink
hl_check "all three are still there" \
	bash -c "[ -f $d/agent.4408 ] && [ -p $d/agent.4409 ] && [ -d $d/agent.4410 ]"

hl_case "symlinks named agent.<pid> in alice's /tmp/ssh-* to bob's live socket and a root file"
b=$(tmpdir_of $BOB bbbbbbbbc9); chmod 0755 $b; sock $b/agent.5109 $BOB
d=$(tmpdir_of $ALICE aaaaaaaad9)
ln -s $b/agent.5109 $d/agent.4411; ln -s $V/rootfile $d/agent.4412
mine $d/agent.4411 $d/agent.4412
hl_run PAM_SUCCESS PAM_SUCCESS
nolink
hl_check "the symlinks are still there" test -L $d/agent.4411 -a -L $d/agent.4412

hl_case "a file, a FIFO and a directory named s.<hash>.sshd.<rand> in ~/.ssh/agent"
ssh_dir; a=$H/.ssh/agent; mkdir -m 0700 $a
echo data >$a/s.$HASH.sshd.aaaaaaaaa1; mkfifo $a/s.$HASH.sshd.aaaaaaaaa2
mkdir $a/s.$HASH.sshd.aaaaaaaaa3
mine $a $a/*; touch -h -d '-1 hour' $a/*
hl_run PAM_SUCCESS PAM_SUCCESS
nolink
hl_check "all three are still there" \
	bash -c "[ -f $a/s.$HASH.sshd.aaaaaaaaa1 ] && [ -p $a/s.$HASH.sshd.aaaaaaaaa2 ] && [ -d $a/s.$HASH.sshd.aaaaaaaaa3 ]"

hl_case "a symlink in ~/.ssh/agent to bob's live socket, the only live one"
ssh_dir; a=$H/.ssh/agent; mkdir -m 0700 $a
b=$(tmpdir_of $BOB bbbbbbbbd1); chmod 0755 $b; sock $b/agent.5111 $BOB
ln -s $b/agent.5111 $a/s.$HASH.sshd.bbbbbbbbb1; mine $a $a/*
hl_run PAM_SUCCESS PAM_SUCCESS
nolink

hl_case "bob's live socket named s.<hash>.sshd.<rand> in alice's ~/.ssh/agent"
ssh_dir; a=$H/.ssh/agent; mkdir -m 0700 $a; mine $a
sock $a/s.$HASH.sshd.bbbbbbbbb2 $BOB
hl_run PAM_SUCCESS PAM_SUCCESS
nolink

hl_case "~/.ssh/agent owned by bob holding alice's live socket"
ssh_dir; a=$H/.ssh/agent; mkdir -m 0755 $a; chown $BOB:$BOB $a
sock $a/s.$HASH.sshd.aaaaaaaab3 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
nolink

hl_case "~/.ssh/agent is a symlink to bob's directory with a live socket of alice's"
ssh_dir; mkdir -m 0755 /tmp/bobdir; chown $BOB:$BOB /tmp/bobdir
sock /tmp/bobdir/s.$HASH.sshd.aaaaaaaab4 $ALICE
ln -s /tmp/bobdir $H/.ssh/agent; mine $H/.ssh/agent
hl_run PAM_SUCCESS PAM_SUCCESS
nolink

hl_case "alice's live socket for another host's hash in ~/.ssh/agent"
ssh_dir; a=$H/.ssh/agent; mkdir -m 0700 $a; mine $a
sock $a/s.OtherHost0.sshd.aaaaaaaab5 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
nolink

hl_case "control: alice's own live socket is linked"
d=$(tmpdir_of $ALICE aaaaaaaae1); sock $d/agent.4499 $ALICE
b=$(tmpdir_of $BOB bbbbbbbbe1); sock $b/agent.5199 $BOB
hl_run PAM_SUCCESS PAM_SUCCESS
hl_check "the link points at alice's socket" test "$(readlink $LINK)" = $d/agent.4499

# agentlink tmux's session links (its lock file beside them says it ran):
# one points into a /tmp/ssh-* directory that bob made again after sshd
# removed alice's, one at alice's live socket.  close puts the first
# back on the host link and leaves the second.
hl_case "tmux session links: one into bob's re-made /tmp/ssh-* directory, one at alice's live socket"
ssh_dir
lock="$H/.ssh/.${LINK##*/}.tmux-lock"
touch "$lock"; chmod 0600 "$lock"; mine "$lock"
b=$(tmpdir_of $BOB aaaaaaaat1); sock $b/agent.4601 $BOB; bob_out=$HL_FIX_OUT
d=$(tmpdir_of $ALICE aaaaaaaat2); sock $d/agent.4602 $ALICE
ln -s $b/agent.4601 $LINK.tmux-123-0; ln -s $d/agent.4602 $LINK.tmux-123-1
mine $LINK.tmux-123-0 $LINK.tmux-123-1
hl_run PAM_SUCCESS PAM_SUCCESS
hl_check "the session link into bob's directory points at the host link again" \
	test "$(readlink $LINK.tmux-123-0)" = "$LINK"
hl_check "the session link at alice's live socket is kept" \
	test "$(readlink $LINK.tmux-123-1)" = $d/agent.4602
hl_check "bob's socket was never connected to" bash -c '! grep -q accepted "$1"' - "$bob_out"
hl_logged "close: 1 tmux session link of $LINK pointed at no socket of alice's"

hl_done
