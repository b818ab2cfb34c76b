# /etc/profile.d/agentlink.sh - pam_agentlink(8).
# Inside tmux or screen, point SSH_AUTH_SOCK at the stable link that
# pam_agentlink published in AGENTLINK_SOCK, so shells in old panes and
# windows keep agent forwarding across reconnects.  In tmux with the hooks
# of pam_agentlink's tmux.conf (AGENTLINK_TMUX=1), at this session's own
# link, AGENTLINK_SOCK.tmux-<server pid>-<session id> from $TMUX: the
# first pane of a session starts before its hook has run, and the link may
# appear a moment after the shell.  Outside them, or when the variable is
# not set, nothing changes.
if [ -n "${AGENTLINK_SOCK:-}" ] && { [ -n "${TMUX:-}" ] || [ -n "${STY:-}" ]; }; then
	SSH_AUTH_SOCK=$AGENTLINK_SOCK
	if [ -n "${TMUX:-}" ] && [ "${AGENTLINK_TMUX:-}" = 1 ]; then
		# $TMUX is "socket,server pid,session id"; read from the right.
		_al_sid=${TMUX##*,}
		_al_pid=${TMUX%,*}
		_al_pid=${_al_pid##*,}
		case $_al_pid,$_al_sid in
		*[!0-9,]* | ,* | *,) ;;
		*) SSH_AUTH_SOCK=$AGENTLINK_SOCK.tmux-$_al_pid-$_al_sid ;;
		esac
		unset _al_sid _al_pid
	fi
	export SSH_AUTH_SOCK
fi
