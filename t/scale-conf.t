# The examples for running several carbotd (conf/haproxy.cfg.example,
# conf/carbotd@.service) are valid for the tools that read them.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use CarBot::Test;
use CarBot::Cluster;

my $root = CarBot::Test->root;

SKIP: {
	my $haproxy = CarBot::Cluster::haproxy_bin() or skip 'haproxy not installed', 2;
	my ($code, $out) = CarBot::Test::_run([$haproxy, '-c', '-f', "$root/conf/haproxy.cfg.example"], merge => 1);
	is $code, 0, 'haproxy -c accepts conf/haproxy.cfg.example' or diag $out;
	like $out, qr/valid/i, '... "Configuration file is valid"';
}

my $unit = do { local $/; open my $fh, '<', "$root/conf/carbotd\@.service" or die $!; <$fh> };
like $unit, qr/^Restart=always$/m, 'the unit restarts carbotd';
like $unit, qr/^Environment=PORT=%i$/m, 'one port per instance';
like $unit, qr/^ExecStart=\S+carbotd -c /m, 'runs carbotd with a config';
SKIP: {
	my ($sa) = grep { -x } map { "$_/systemd-analyze" } File::Spec->path;
	skip 'systemd-analyze not installed', 1 unless $sa;
	my ($code, $out) = CarBot::Test::_run([$sa, 'verify', "$root/conf/carbotd\@.service"], merge => 1);
	# carbotd itself is not installed here; everything else must be known
	my @bad = grep { !/is not executable|No such file/ } grep { /\S/ } split /\n/, $out;
	is_deeply \@bad, [], 'systemd-analyze verify: no unknown keys or sections';
}

done_testing;
