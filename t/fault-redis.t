# Faults: Redis killed (SIGKILL, no persistence) and started again, empty,
# under a steady chat load through HAProxy to two carbotd. As documented
# (plugins/keys/README.md, Counting): while Redis is down a chat message,
# which must be counted, is refused with 503 unavailable and /readyz is 503;
# carbotd redials by itself; the counts start again from PostgreSQL's last
# flush, so they lose at most the messages of the last flush_interval before
# the kill and never count a message twice or one that was refused; every
# message answered 200 is stored.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(time sleep);
use CarBot::Test;
use CarBot::Cluster;
use CarBot::Auth;
use CarBot::Chat;
use CarBot::Load;

plan skip_all => 'haproxy not installed (scripts/deps.sh)' unless CarBot::Cluster::haproxy_bin();

my $FLUSH = 1; # keys flush_interval (s)
my $c = CarBot::Load::cluster(n => 2, keys => {flush_interval => $FLUSH});
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

sub used {
	my $r = $c->node(0)->get("/api/v1/client-keys/$o->{key_id}", headers => $o->{bearer});
	return $r->{status} == 200 ? $r->{json}{usage}{messages}{used} : undef;
}

sub flushed {
	my $r = $t->sql("SELECT coalesce(sum(messages), 0) FROM client_key_usage WHERE key_id = :'p1'", $o->{key_id});
	return $r->[0][0];
}

my $sid = CarBot::Chat::session($lb, $o);
my $load = CarBot::Load->start($lb, $o, children => 2, tag => 'redis');
ok wait_for('load', sub { $load->count >= 60 }), 'chat load running';
ok wait_for('a flush', sub { flushed() >= 40 }), 'counts flushed to PostgreSQL while running';
sleep 0.5;

my $killed = time;
kill 'KILL', $t->{redis_pid};
CarBot::Test::_wait($t->{redis_pid}, 10);
delete $t->{redis_pid};
my $n0 = $load->count;
ok wait_for('answers while down', sub { $load->count >= $n0 + 10 }), 'answers go on while Redis is down';
is $c->node(0)->get('/readyz')->{status}, 503, '/readyz 503 while Redis is down';
my $r = CarBot::Chat::chat($c->node(1), $o, $sid, 'Hallo');
is $r->{status}, 503, 'a chat message while Redis is down: 503';
is $r->{json}{error}{code}, 'unavailable', '... unavailable';
is $c->node(1)->get('/healthz')->{status}, 200, '/healthz still 200 (alive)';

$t->start_redis;
my $restarted = time;
ok wait_for('ready', sub {
	$c->node(0)->get('/readyz')->{status} == 200 && $c->node(1)->get('/readyz')->{status} == 200;
}, 30), 'both processes ready again without operator action';
my $ready = time;
my $n1 = $load->count;
ok wait_for('answers after restart', sub { $load->count >= $n1 + 60 }), 'load answered after the restart';
my @r = $load->stop;

my @ok = grep { $_->{status} == 200 } @r;
my %kinds;
$kinds{"$_->{status} $_->{code}"}++ for grep { $_->{status} != 200 } @r;
diag sprintf 'answers: %d, 200: %d, others: %s', scalar @r, scalar @ok,
  join(', ', map { "$_ x$kinds{$_}" } sort keys %kinds) || 'none';
is_deeply [grep { $_ ne '503 unavailable' } keys %kinds], [], 'every failure is 503 unavailable';
ok $kinds{'503 unavailable'}, 'the outage was visible';
my @after = grep { $_->{t} > $ready } @r;
is scalar(grep { $_->{status} != 200 } @after), 0, 'once ready, every answer is 200 (' . scalar(@after) . ')';

my $rows = $t->sql("SELECT m.content, count(*) FROM messages m JOIN conversations v ON v.id = m.conversation_id
                    WHERE v.client_key_id = :'p1' AND m.role = 'user' GROUP BY m.content", $o->{key_id});
my %stored = map { $_->[0] => $_->[1] } @$rows;
is scalar(grep { !$stored{$_->{text}} } @ok), 0, 'every message answered 200 is stored';
is_deeply [grep { $stored{$_} > 1 } keys %stored], [], 'none stored twice';

# counts: never more than answered; at most the last flush interval lost
my $ok_n = @ok;
my $window = grep { $_->{t} > $killed - $FLUSH - 1 && $_->{t} <= $killed } @ok;
ok wait_for('flush', sub { my $u = used(); defined $u && flushed() == $u }, 30),
  'after recovery the flushed count catches up with the live count';
my $used = used();
ok $used <= $ok_n, "usage counts no refused message ($used <= $ok_n answered 200)";
ok $used >= $ok_n - $window,
  "usage lost at most the last flush interval before the kill ($used >= $ok_n - $window)";
my $after_ok = grep { $_->{t} > $restarted } @ok;
ok $used >= $after_ok, 'everything answered after the restart is counted';

done_testing;
