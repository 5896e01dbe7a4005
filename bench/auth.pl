#!/usr/bin/perl
# Login timing: an unknown email must cost about what a wrong password costs
# (bcrypt against a dummy hash), or response times would tell which emails
# have accounts. Prints the medians of N logins each and their ratio; the
# goal is a ratio between 0.8 and 1.25 (bcrypt at cost 12, the default).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use Time::HiRes qw(time);
use CarBot::Auth;

my $n = $ENV{BENCH_LOGINS} || 15;
my $t = CarBot::Auth::server(auth => {bcrypt_cost => 12, login_max_failures => 1000},
	conf => {log_level => 'warn'});
my $u = CarBot::Auth::register($t);

sub median_ms {
	my ($email) = @_;
	my @d;
	for (1 .. $n) {
		my $t0 = time;
		my $r = CarBot::Auth::login($t, $email, 'Wrong-Password-0');
		die "expected 401, got $r->{status}\n" unless $r->{status} == 401;
		push @d, (time - $t0) * 1000;
	}
	@d = sort { $a <=> $b } @d;
	return $d[int(@d / 2)];
}

CarBot::Auth::login($t, $u->{email}, 'Wrong-Password-0') for 1 .. 2; # warm up
# interleave the two kinds so machine noise hits both alike
my (@wrong, @unknown);
for (1 .. 3) {
	push @wrong, median_ms($u->{email});
	push @unknown, median_ms('unknown.' . CarBot::Auth::email());
}
my ($w) = (sort { $a <=> $b } @wrong)[1];
my ($k) = (sort { $a <=> $b } @unknown)[1];
printf "\nlogin timing, bcrypt cost 12, median of 3 x %d logins each\n", $n;
printf "  wrong password (baseline)   %7.1f ms\n", $w;
printf "  unknown email               %7.1f ms  = %.2f x baseline  %s\n", $k, $k / $w,
	($k / $w > 0.8 && $k / $w < 1.25) ? 'ok' : 'OUTSIDE 0.8..1.25';
