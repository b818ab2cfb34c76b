#!/usr/bin/perl
# snapshot.pl UID ROOT...
#
# Prints one line per filesystem object below the ROOTs (symbolic links
# are never followed) that is NOT the user UID's own business: everything
# not owned by UID, and every entry of a directory not owned by UID (so a
# file of UID's appearing in root's or bob's directory shows up too).
# A line holds the path, type, owner, group and mode, and for a regular
# file the SHA-256 of its content and its mtime and ctime, for a symbolic
# link its target and ctime, for a directory nothing more (its entries
# speak for it).  Comparing two snapshots shows whether anything outside
# the user's own files changed.
use strict;
use warnings;
use Fcntl ':mode';
use Digest::SHA;
use Time::HiRes ();

my $uid = shift @ARGV;
defined $uid && @ARGV or die "usage: snapshot.pl UID ROOT...\n";
my @lines;

sub line {
	my ($p, $st) = @_;
	my ($mode, $u, $g, $mtime, $ctime) = @$st[2, 4, 5, 9, 10];
	my $t = S_ISDIR($mode) ? 'd' : S_ISLNK($mode) ? 'l' : S_ISREG($mode) ? 'f' :
	    S_ISSOCK($mode) ? 's' : S_ISFIFO($mode) ? 'p' : '?';
	my $s = sprintf "%s %s %d:%d %04o", $p, $t, $u, $g, S_IMODE($mode);
	if ($t eq 'f') {
		my $sha = Digest::SHA->new(256);
		$sha->addfile($p) if -r $p;
		$s .= sprintf " sha256=%s mtime=%.9f ctime=%.9f", $sha->hexdigest,
		    $mtime, $ctime;
	} elsif ($t eq 'l') {
		$s .= sprintf " -> %s ctime=%.9f", readlink($p) // '?', $ctime;
	} elsif ($t ne 'd') {
		$s .= sprintf " mtime=%.9f ctime=%.9f", $mtime, $ctime;
	}
	push @lines, $s;
}

sub walk {
	my ($p, $parent_uid) = @_;
	my @st = Time::HiRes::lstat($p) or return;
	line($p, \@st) if !defined $parent_uid || $st[4] != $uid ||
	    $parent_uid != $uid;
	return unless S_ISDIR($st[2]);
	opendir(my $d, $p) or return;
	my @names = grep { $_ ne '.' && $_ ne '..' } readdir $d;
	closedir $d;
	walk($p eq '/' ? "/$_" : "$p/$_", $st[4]) for sort @names;
}

walk($_, undef) for @ARGV;
print "$_\n" for sort @lines;
