# Faults: one of three carbotd SIGKILLed behind HAProxy under a steady chat
# load, while it holds a running job. The other two keep serving (HAProxy
# retries a refused connection elsewhere and drops the node after two failed
# health checks); the job is taken again after job_lease seconds by another
# process and finishes once; every message answered 200 is stored; the
# node, started again, is back in rotation.
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

my $LEASE = 10; # the smallest job_lease carbotd accepts
my $c = CarBot::Load::cluster(n => 3, test_plugins => ['faultkit'],
                              conf => {job_lease => $LEASE, job_threads => 1, job_poll_ms => 100});
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

my $load = CarBot::Load->start($lb, $o, children => 2, tag => 'node');
ok wait_for('load', sub { $load->count >= 40 }), 'chat load running';

my $tag = "slow-$$";
my $j = $lb->post('/t/fault/job', json => {tag => $tag, first_ms => 60000});
is $j->{status}, 202, 'a slow job queued';
my $holder;
ok wait_for('job started', sub {
	my $r = $t->sql("SELECT pid FROM faultkit_runs WHERE tag = :'p1' AND phase = 'start'", $tag);
	$holder = @$r ? $r->[0][0] : undef;
	defined $holder;
}), 'a process started the job';
my ($victim) = grep { ($c->node_pid($_) // 0) == ($holder // -1) } 0 .. $c->n - 1;
ok defined $victim, "the job is held by node " . ($victim // '?');
$victim //= 1;

my $killed = time;
is $c->kill_node($victim), 137, "node $victim SIGKILLed";
my $n0 = $load->count;
ok wait_for('serving on', sub { $load->count >= $n0 + 100 }), 'the load goes on';

ok wait_for('job retried', sub {
	$t->sql("SELECT status FROM cb_jobs WHERE id = :'p1'", $j->{json}{job_id})->[0][0] eq 'done';
}, $LEASE + 30), "the job is done after the lease ($LEASE s) ran out";
my $runs = $t->sql("SELECT phase, pid FROM faultkit_runs WHERE tag = :'p1' ORDER BY id", $tag);
is scalar(grep { $_->[0] eq 'start' } @$runs), 2, 'started twice: the killed attempt and the retry';
my @done = grep { $_->[0] eq 'done' } @$runs;
is scalar @done, 1, 'finished exactly once';
isnt $done[0][1], $holder, 'by another process' if @done;
is $t->sql("SELECT attempts FROM cb_jobs WHERE id = :'p1'", $j->{json}{job_id})->[0][0], 2, 'two attempts';

$c->start_node($victim);
my %back;
ok wait_for('back in rotation', sub {
	$back{$lb->get('/healthz')->{headers}{'x-served-by'} // ''} = 1;
	$back{"c$victim"};
}, 30), "node $victim started again serves behind HAProxy";

my @r = $load->stop;
my @ok = grep { $_->{status} == 200 } @r;
my @bad = grep { $_->{status} != 200 } @r;
diag sprintf 'answers: %d, 200: %d, others: %s', scalar @r, scalar @ok,
  join(', ', map { "$_->{status} $_->{code} at +" . sprintf('%.2f s', $_->{t} - $killed) } @bad) || 'none';
ok @bad <= 2, 'at most the requests in flight on the killed process failed (' . scalar(@bad) . ')';
my @late = grep { $_->{t} > $killed + 1 && $_->{t} < $killed + $LEASE } @r;
ok @late > 50, 'answers after the kill (' . scalar(@late) . ')';
is scalar(grep { $_->{status} != 200 } @late), 0, 'all 200';
my %by = map { $_->{by} => 1 } @late;
ok !$by{"c$victim"}, 'none from the killed process';
is scalar(keys %by), 2, 'the other two served';

my $rows = $t->sql("SELECT m.content, count(*) FROM messages m JOIN conversations v ON v.id = m.conversation_id
                    WHERE v.client_key_id = :'p1' AND m.role = 'user' GROUP BY m.content", $o->{key_id});
my %stored = map { $_->[0] => $_->[1] } @$rows;
is scalar(grep { !$stored{$_->{text}} } @ok), 0, 'every message answered 200 is stored';
is_deeply [grep { $stored{$_} > 1 } keys %stored], [], 'none stored twice';

done_testing;
