#!/usr/bin/perl
# delayrelay.pl LISTEN UPSTREAM MS: a Unix socket at LISTEN in front of the
# agent at UPSTREAM that holds each reply MS milliseconds before passing it
# on, as a slow network does; requests go through at once.  One process
# per connection; "ready" on stdout once LISTEN accepts.  SIGSTOP of the
# whole process group makes it an agent that never answers.
use strict;
use warnings;
use IO::Select;
use IO::Socket::UNIX;
use POSIX ();
use Time::HiRes ();

my ($listen, $upstream, $ms) = @ARGV;
die "usage: delayrelay.pl LISTEN UPSTREAM MS\n" unless defined $ms && $ms =~ /^\d+$/;

sub relay {
	my ($client) = @_;
	my $agent = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $upstream)
	    or POSIX::_exit(1);
	my $sel = IO::Select->new($client, $agent);
	while (my @ready = $sel->can_read) {
		for my $fh (@ready) {
			my $n = sysread($fh, my $buf, 65536);
			POSIX::_exit(0) unless $n;
			if ($fh == $agent) {
				Time::HiRes::sleep($ms / 1000);
				syswrite($client, $buf) or POSIX::_exit(0);
			} else {
				syswrite($agent, $buf) or POSIX::_exit(0);
			}
		}
	}
	POSIX::_exit(0);
}

unlink $listen;
my $srv = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $listen, Listen => 64)
    or die "delayrelay.pl: $listen: $!\n";
$SIG{CHLD} = 'IGNORE';
$| = 1;
print "ready\n";
for (;;) {
	my $c = $srv->accept or next;
	my $pid = fork;
	if (defined $pid && $pid == 0) {
		close $srv;
		relay($c);
	}
	close $c;
}
