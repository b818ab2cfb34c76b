#!/bin/bash
# Hostile configuration and scope: a config file another user could have
# written is ignored, and outside sshd sessions the module does nothing.
set -eu
. "$(dirname "$0")/lib.sh"
hl_enter "$0" "$@"

C=/etc/security/agentlink.conf
evil() {
	printf 'link=%s/rootdir/agent.sock\nenv=EVIL\npolicy=newest\n' "$V" >"$1"
}
defaults_used() {
	hl_check "defaults used: link in ~/.ssh, published as AGENTLINK_SOCK" \
		bash -c "grep -qx 'env AGENTLINK_SOCK=$LINK' $ST/out.sshd &&
			[ -z \"\$(ls -A $V/rootdir)\" ] && [ -L $LINK ]"
}

hl_case "agentlink.conf owned by bob"
evil $C; chown $BOB:$BOB $C; chmod 0644 $C
d=$(tmpdir_of $ALICE aaaaaaaah1); sock $d/agent.4601 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
defaults_used
hl_logged "owned by uid 4102 or writable by group or others; ignored"

hl_case "agentlink.conf owned by root but group-writable"
evil $C; chmod 0664 $C
d=$(tmpdir_of $ALICE aaaaaaaah2); sock $d/agent.4602 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
defaults_used
hl_logged "writable by group or others; ignored"

hl_case "agentlink.conf is a symlink to a file of bob's"
evil /tmp/bobconf; chown $BOB:$BOB /tmp/bobconf; chmod 0644 /tmp/bobconf
ln -s /tmp/bobconf $C
d=$(tmpdir_of $ALICE aaaaaaaah3); sock $d/agent.4603 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
defaults_used

hl_case "conf= on the PAM line names a file of alice's"
evil $H/my.conf; mine $H/my.conf; chmod 0600 $H/my.conf
hl_conf "conf=$H/my.conf"
d=$(tmpdir_of $ALICE aaaaaaaah4); sock $d/agent.4604 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
defaults_used

hl_case "agentlink.conf is a FIFO (never blocks the login)"
mkfifo -m 0644 $C
d=$(tmpdir_of $ALICE aaaaaaaah5); sock $d/agent.4605 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
defaults_used
hl_logged "not a regular file"

hl_case "control: root's agentlink.conf is read"
printf 'env=MY_SOCK\n' >$C; chmod 0644 $C
HL_DRIVE_ARGS=(-e MY_SOCK)
d=$(tmpdir_of $ALICE aaaaaaaah6); sock $d/agent.4606 $ALICE
hl_run PAM_SUCCESS PAM_SUCCESS
hl_check "published as MY_SOCK" \
	bash -c "grep -qx 'env AGENTLINK_SOCK unset' $ST/out.sshd && grep -qx 'env MY_SOCK=$LINK' $ST/out.sshd"

hl_case "not an sshd session (PAM_TTY tty1): nothing is touched"
HL_DRIVE_ARGS=(-t tty1)
ln -s $V/rootfile $H/.ssh 2>/dev/null || true; mine $H/.ssh
d=$(tmpdir_of $ALICE aaaaaaaah7); sock $d/agent.4607 $ALICE
hl_run PAM_IGNORE PAM_IGNORE
hl_check "nothing published" grep -qx 'env AGENTLINK_SOCK unset' $ST/out.sshd

hl_done
