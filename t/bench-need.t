# Every benchmark that drives wrk refuses with one line naming the missing
# tool, before it starts anything (no zeros printed as figures).
use strict;
use warnings;
use FindBin;
use Test::More;

my $bench = "$FindBin::Bin/../bench";
for my $b (qw(chat core landing load)) {
	# wrk lives in /usr/bin: an empty PATH hides it (the scripts look in /usr/sbin
	# and PostgreSQL's bin too, where it is not)
	local $ENV{PATH} = '/nonexistent';
	my $out = `$^X $bench/$b.pl 2>&1`;
	my $rc = $? >> 8;
	is $rc, 1, "bench/$b.pl without wrk exits 1";
	is $out, "bench/$b.pl: needs wrk (scripts/deps.sh --bench; Debian: wrk)\n", '... with one line naming it';
}
done_testing;
