#!/bin/bash
# Hostile link directories: a symbolic link, another user's directory, or
# a directory others can write to is never used for the link.
set -eu
. "$(dirname "$0")/lib.sh"
hl_enter "$0" "$@"

hl_case "~/.ssh is a symlink to a root-owned copy of /etc"
ln -s $V/etc $H/.ssh; mine $H/.ssh
d=$(tmpdir_of $ALICE aaaaaaaab1); sock $d/agent.4301 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR
hl_logged "is a symbolic link or not a directory"
hl_check "no link appeared in the copy of /etc" \
	bash -c "! ls -A $V/etc | grep -q agent"

hl_case "~/.ssh is a symlink to a root-owned copy of /etc that holds a link"
ln -s $V/etc $H/.ssh; mine $H/.ssh
ln -s $V/etc/passwd $V/etc/agent-labhost.sock
d=$(tmpdir_of $ALICE aaaaaaaab2); sock $d/agent.4302 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR -
hl_check "root's link there still points where it did" \
	test "$(readlink $V/etc/agent-labhost.sock)" = $V/etc/passwd

hl_case "~/.ssh is a symlink to /tmp (root-owned, world-writable)"
ln -s /tmp $H/.ssh; mine $H/.ssh
d=$(tmpdir_of $ALICE aaaaaaaab3); sock $d/agent.4303 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR
hl_logged "is a symbolic link or not a directory"
hl_check "no link appeared in /tmp" test ! -e /tmp/agent-labhost.sock -a ! -L /tmp/agent-labhost.sock

hl_case "~/.ssh is a symlink to alice's own directory"
mkdir -m 0700 $H/real; ln -s $H/real $H/.ssh; mine $H/real $H/.ssh
d=$(tmpdir_of $ALICE aaaaaaaab4); sock $d/agent.4304 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR
hl_check "no link appeared through the symlink" test -z "$(ls -A $H/real)"

hl_case "the link's directory (below ~/.ssh) is a symlink to a root-owned directory"
hl_conf "link=~/.ssh/sub/agent-%H.sock"
mkdir -m 0700 $H/.ssh; ln -s $V/rootdir $H/.ssh/sub; mine $H/.ssh $H/.ssh/sub
d=$(tmpdir_of $ALICE aaaaaaaab5); sock $d/agent.4305 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR "$H/.ssh/sub/agent-labhost.sock"
hl_logged "is a symbolic link or not a directory"
hl_check "the root-owned directory is still empty" test -z "$(ls -A $V/rootdir)"

hl_case "~/.ssh is owned by bob"
mkdir -m 0755 $H/.ssh; chown $BOB:$BOB $H/.ssh
d=$(tmpdir_of $ALICE aaaaaaaab6); sock $d/agent.4306 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR
hl_logged "owned by uid 4102"

hl_case "~/.ssh is owned by bob and holds bob's symlink at the link path"
mkdir -m 0755 $H/.ssh; ln -s $V/rootfile $LINK; chown -h $BOB:$BOB $H/.ssh $LINK
d=$(tmpdir_of $ALICE aaaaaaaab7); sock $d/agent.4307 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR -
hl_check "bob's symlink is untouched" test "$(readlink $LINK)" = $V/rootfile

hl_case "~/.ssh is group-writable"
mkdir $H/.ssh; chmod 0770 $H/.ssh; mine $H/.ssh
d=$(tmpdir_of $ALICE aaaaaaaab8); sock $d/agent.4308 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR
hl_logged "writable by group or others"
hl_check "no link was made" test ! -L $LINK

hl_case "~/.ssh is world-writable and sticky"
mkdir $H/.ssh; chmod 1777 $H/.ssh; mine $H/.ssh
ln -s $V/rootfile $LINK; chown -h $BOB:$BOB $LINK
d=$(tmpdir_of $ALICE aaaaaaaab9); sock $d/agent.4309 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR -
hl_logged "writable by group or others"
hl_check "bob's symlink in it is untouched" test "$(readlink $LINK)" = $V/rootfile

hl_case "link outside home: /tmp/alice is bob's directory"
hl_conf "link=/tmp/%u/agent.sock"
mkdir -m 0755 /tmp/alice; chown $BOB:$BOB /tmp/alice
d=$(tmpdir_of $ALICE aaaaaaaac1); sock $d/agent.4310 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR /tmp/alice/agent.sock
hl_check "bob's directory is still empty" test -z "$(ls -A /tmp/alice)"

hl_case "link outside home: /tmp/alice is bob's symlink to a root-owned directory"
hl_conf "link=/tmp/%u/agent.sock"
ln -s $V/rootdir /tmp/alice; chown -h $BOB:$BOB /tmp/alice
d=$(tmpdir_of $ALICE aaaaaaaac2); sock $d/agent.4311 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR /tmp/alice/agent.sock
hl_logged "is a symbolic link or not a directory"
hl_check "the root-owned directory is still empty" test -z "$(ls -A $V/rootdir)"

# Outside home every directory from / down to the link's is checked: no
# symbolic link, root's or alice's, and sticky if others may write to it,
# or bob would choose where alice's directory is.
hl_case "link two levels below /tmp: /tmp/alice is bob's symlink to his world-writable directory"
hl_conf "link=/tmp/%u/sub/agent.sock"
mkdir -m 0777 /tmp/bobdir; chown $BOB:$BOB /tmp/bobdir
ln -s /tmp/bobdir /tmp/alice; chown -h $BOB:$BOB /tmp/alice
d=$(tmpdir_of $ALICE aaaaaaaac3); sock $d/agent.4312 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR -
hl_logged "/tmp/alice: it or a directory above it is a symbolic link, or owned by another user"
hl_check "nothing was made in bob's directory" test -z "$(ls -A /tmp/bobdir)"

# The walk's choice of anchor must not depend on lengths: /tmp/shared is
# as long as /home/alice.
hl_case "link outside home whose anchor is as long as the home: /tmp/shared is bob's symlink to his directory"
hl_conf "link=/tmp/shared/%u/agent.sock"
mkdir -m 0777 /tmp/bobdir; chown $BOB:$BOB /tmp/bobdir
ln -s /tmp/bobdir /tmp/shared; chown -h $BOB:$BOB /tmp/shared
d=$(tmpdir_of $ALICE aaaaaaaac4); sock $d/agent.4313 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR -
hl_logged "/tmp/shared: it or a directory above it is a symbolic link, or owned by another user"
hl_check "nothing was made in bob's directory" test -z "$(ls -A /tmp/bobdir)"

hl_done
