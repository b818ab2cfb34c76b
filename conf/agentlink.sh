# /etc/profile.d/agentlink.sh - pam_agentlink(8).
# Inside tmux or screen, point SSH_AUTH_SOCK at the stable link that
# pam_agentlink published in AGENTLINK_SOCK, so shells in old panes and
# windows keep agent forwarding across reconnects.  Outside them, or when
# the variable is not set, nothing changes.
if [ -n "${AGENTLINK_SOCK:-}" ] && { [ -n "${TMUX:-}" ] || [ -n "${STY:-}" ]; }; then
	SSH_AUTH_SOCK=$AGENTLINK_SOCK
	export SSH_AUTH_SOCK
fi
