# Faults: PostgreSQL restarted (fast, then immediate shutdown) under a steady
# chat load through HAProxy to two carbotd. While it is down the answers are
# 503 unavailable and /readyz says so; afterwards carbotd serves again with
# no operator action; every message answered 200 is in the database, once.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(time sleep);
use CarBot::Test;
use CarBot::Cluster;
use CarBot::Chat;
use CarBot::Load;

plan skip_all => 'haproxy not installed (scripts/deps.sh)' unless CarBot::Cluster::haproxy_bin();

# The harness's PostgreSQL runs with synchronous_commit=off (fast tests);
# then an immediate shutdown may lose commits already acknowledged, which is
# PostgreSQL's documented trade-off, not carbotd's. Production durability here.
my $c = CarBot::Load::cluster(n => 2, before_start => sub {
	$_[0]->sql('ALTER DATABASE carbot SET synchronous_commit = on');
});
my $t = $c->test;
my $lb = $c->lb;
my $o = CarBot::Chat::owner($lb, tier => 'enterprise');

sub wait_for {
	my ($what, $cond, $secs) = @_;
	my $end = time + ($secs // 30);
	while (time < $end) { return 1 if $cond->(); sleep 0.1 }
	diag "timed out waiting for $what";
	return 0;
}

my $load = CarBot::Load->start($lb, $o, children => 2, tag => 'pg');
ok wait_for('load', sub { $load->count >= 40 }), 'chat load running';

my @outages;
my $sid = CarBot::Chat::session($lb, $o);
for my $mode (qw(fast immediate)) {
	my $down = time;
	$t->stop_pg(mode => $mode);
	my $n0 = $load->count;
	ok wait_for('answers while down', sub { $load->count >= $n0 + 10 }), "$mode: answers go on while down";
	my $ready = $c->node(0)->get('/readyz');
	is $ready->{status}, 503, "$mode: /readyz 503 while PostgreSQL is down";
	my $chat = CarBot::Chat::chat($c->node(1), $o, $sid, 'Hallo');
	is $chat->{status}, 503, "$mode: a chat message while down: 503";
	is $chat->{json}{error}{code}, 'unavailable', '... unavailable';
	$t->start_pg;
	ok wait_for('recovery', sub {
		$c->node(0)->get('/readyz')->{status} == 200 && $c->node(1)->get('/readyz')->{status} == 200;
	}, 60), "$mode: both processes ready again without operator action";
	push @outages, [$mode, $down, time];
	my $n1 = $load->count;
	ok wait_for('200s after restart', sub { $load->count >= $n1 + 60 }), "$mode: load answered after restart";
}
my @r = $load->stop;
my @ok = grep { $_->{status} == 200 } @r;
my @bad = grep { $_->{status} != 200 } @r;
my %kinds;
$kinds{"$_->{status} $_->{code}"}++ for @bad;
diag sprintf 'answers: %d, 200: %d, others: %s', scalar @r, scalar @ok,
  join(', ', map { "$_ x$kinds{$_}" } sort keys %kinds) || 'none';

ok @bad > 0, 'the outages were visible';
is_deeply [grep { $_ ne '503 unavailable' } keys %kinds], [], 'every failure is 503 unavailable';
for my $i (0 .. $#outages) {
	my ($mode, $down, $ready) = @{$outages[$i]};
	my $next = $i < $#outages ? $outages[$i + 1][1] : 9e9;
	my @after = grep { $_->{t} > $ready && $_->{t} < $next } @r;
	ok @after >= 20, "$mode: answers after recovery (" . scalar(@after) . ')';
	is scalar(grep { $_->{status} != 200 } @after), 0, "$mode: once ready, every answer is 200";
	ok scalar(grep { $_->{t} > $down && $_->{t} < $ready && $_->{status} == 503 } @r),
	  "$mode: 503s while down";
}

my $rows = $t->sql("SELECT m.content, count(*) FROM messages m JOIN conversations v ON v.id = m.conversation_id
                    WHERE v.client_key_id = :'p1' AND m.role = 'user' GROUP BY m.content", $o->{key_id});
my %stored = map { $_->[0] => $_->[1] } @$rows;
my @lost = grep { !$stored{$_->{text}} } @ok;
is scalar @lost, 0, 'every message answered 200 is stored' or diag "lost: @{[map { $_->{text} } @lost[0 .. ($#lost > 4 ? 4 : $#lost)]]}";
is_deeply [grep { $stored{$_} > 1 } keys %stored], [], 'none stored twice';

done_testing;
