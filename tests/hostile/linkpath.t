#!/bin/bash
# Hostile link paths: whatever alice plants at the link path, the module
# replaces or removes only her own symbolic link, never what it points at,
# and leaves anything that is not a symbolic link alone.
set -eu
. "$(dirname "$0")/lib.sh"
hl_enter "$0" "$@"

hl_case "link is a symlink to a root-owned file, no live socket"
mkdir -m 0700 $H/.ssh; mine $H/.ssh
ln -s $V/rootfile $LINK; mine $LINK
hl_run PAM_SUCCESS PAM_SUCCESS
hl_check "alice's foreign link was removed, the root file kept" \
	bash -c "[ ! -e $LINK ] && [ ! -L $LINK ] && [ \"\$(cat $V/rootfile)\" = precious ]"

hl_case "link is a symlink to a root-owned file, alice has a live socket"
mkdir -m 0700 $H/.ssh; mine $H/.ssh
ln -s $V/etc/passwd $LINK; mine $LINK
d=$(tmpdir_of $ALICE aaaaaaaaa1); sock $d/agent.4242 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
hl_check "the link now points at alice's socket" \
	test "$(readlink $LINK)" = $d/agent.4242

hl_case "link is alice's symlink to a name with a newline and terminal escapes"
mkdir -m 0700 $H/.ssh; mine $H/.ssh
ln -s "$(printf '/tmp/x\nfake: pam_agentlink: root logged in\033[2J')" $LINK; mine $LINK
d=$(tmpdir_of $ALICE aaaaaaaaa8); sock $d/agent.4249 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS $d/agent.4249
hl_logged 'relinked .* from /tmp/x\\x0afake: pam_agentlink: root logged in\\x1b\[2J to '
hl_check "no line of the log begins with what alice wrote, and no escape byte reached it" \
	bash -c '! tail -n +"$1" "$2" | grep -q -e "^fake" -e "$(printf "\033")"' - "$hl_log_from" "$NS_SYSLOG"

hl_case "link is a symlink to a root-owned directory"
mkdir -m 0700 $H/.ssh; mine $H/.ssh
ln -s $V/rootdir $LINK; mine $LINK
d=$(tmpdir_of $ALICE aaaaaaaaa2); sock $d/agent.4243 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
hl_check "nothing was created in the root-owned directory" \
	test -z "$(ls -A $V/rootdir)"

hl_case "link path is a directory"
mkdir -m 0700 $H/.ssh $LINK; mine $H/.ssh $LINK
d=$(tmpdir_of $ALICE aaaaaaaaa3); sock $d/agent.4244 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR
hl_logged "exists and is not a symbolic link"
hl_check "the directory is still there, empty" \
	bash -c "[ -d $LINK ] && [ ! -L $LINK ] && [ -z \"\$(ls -A $LINK)\" ]"

hl_case "link path is a FIFO"
mkdir -m 0700 $H/.ssh; mkfifo $LINK; mine $H/.ssh $LINK
d=$(tmpdir_of $ALICE aaaaaaaaa4); sock $d/agent.4245 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR
hl_logged "exists and is not a symbolic link"
hl_check "the FIFO is still there" test -p $LINK

hl_case "link path is a regular file"
mkdir -m 0700 $H/.ssh; echo mine >$LINK; mine $H/.ssh $LINK
d=$(tmpdir_of $ALICE aaaaaaaaa5); sock $d/agent.4246 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR
hl_logged "exists and is not a symbolic link"
hl_check "the file is still there with its content" \
	bash -c "[ -f $LINK ] && [ ! -L $LINK ] && [ \"\$(cat $LINK)\" = mine ]"

hl_case "link path is a root-owned file in alice's directory"
mkdir -m 0700 $H/.ssh; mine $H/.ssh
echo rootsfile >$LINK; chmod 0644 $LINK
d=$(tmpdir_of $ALICE aaaaaaaaa6); sock $d/agent.4247 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR
hl_logged "exists and is not a symbolic link"

hl_case "link is alice's symlink to bob's live socket, the only live one"
mkdir -m 0700 $H/.ssh; mine $H/.ssh
b=$(tmpdir_of $BOB bbbbbbbbb1); sock $b/agent.5001 $BOB
ln -s $b/agent.5001 $LINK; mine $LINK
hl_run PAM_SUCCESS PAM_SUCCESS
hl_check "the link to bob's socket was removed, not kept" \
	bash -c "[ ! -L $LINK ] && [ -S $b/agent.5001 ]"

hl_case "link path longer than a Unix socket address"
long=$(printf 'x%.0s' $(seq 1 100))
hl_conf "link=~/.ssh/$long"
d=$(tmpdir_of $ALICE aaaaaaaaa7); sock $d/agent.4248 $ALICE
hl_run PAM_SESSION_ERR PAM_SESSION_ERR "$H/.ssh/$long"
hl_logged "longer than a Unix socket address"
hl_check "nothing was created in alice's home" test -z "$(ls -A $H)"

hl_done
