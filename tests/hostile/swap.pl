#!/usr/bin/perl
# swap.pl SECONDS A B
#
# Exchanges the paths A and B atomically (renameat2 RENAME_EXCHANGE) as
# fast as it can for SECONDS, so that anyone looking at A sees one or the
# other at any moment, then prints "swaps N" (N is even: it ends where it
# started).  Exits 2 when the exchange is not supported.
use strict;
use warnings;
use Time::HiRes qw(time);
require 'syscall.ph';

my ($secs, $a, $b) = @ARGV;
defined $b or die "usage: swap.pl SECONDS A B\n";
my $AT_FDCWD = -100;
my $RENAME_EXCHANGE = 2;
my $end = time + $secs;
my $n = 0;

sub xchg {
	syscall(&SYS_renameat2, $AT_FDCWD, $a, $AT_FDCWD, $b, $RENAME_EXCHANGE) == 0
	    or die "renameat2 $a $b: $!\n";
}

xchg(); xchg();
$n = 2;
while (time < $end) {
	xchg(); xchg();
	$n += 2;
}
print "swaps $n\n";
