# A PostgreSQL streaming replica (pg_basebackup, started here) behind
# read_only_database_url: the analytics of a key are read from it (shown by
# pausing its replay: the answer lags the primary); lagging more than
# read_only_max_lag, or down, it is left alone and the answers come from the
# primary (logged once each way); back in shape, it is used again.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(time sleep);
use File::Path qw(make_path);
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;
use CarBot::Chat;

my $t = CarBot::Chat::server(start => 0);
my $bin = CarBot::Test::_pg_bin();
my $rdir = $t->tmpdir . '/replica';
my $rport = $t->_reserve_port;
make_path("$rdir/sock");
CarBot::Test::_chown_pg($rdir);

my ($code, $out, $err) = CarBot::Test::_run(
	[CarBot::Test::_as_pg(), "$bin/pg_basebackup", '-D', "$rdir/data", '-R', '-X', 'stream',
	 '-c', 'fast', '-h', $t->pg_sockdir, '-p', $t->pg_port, '-U', 'postgres'],
	env => {LC_ALL => 'C'}, cwd => '/', timeout => 120);
is $code, 0, 'pg_basebackup made a standby of the primary' or BAIL_OUT("pg_basebackup: $out$err");

sub replica_start {
	my ($c, $o) = CarBot::Test::_pg_ctl("$rdir/data", 'start', '-w', '-t', '60', '-l', "$rdir/log",
	                                    '-o', CarBot::Test::_pg_opts("$rdir/sock", $rport));
	die "replica did not start: $o" . CarBot::Test::_slurp("$rdir/log") if $c;
}
sub replica_stop {
	my ($c, $o) = CarBot::Test::_pg_ctl("$rdir/data", 'stop', '-w', '-m', 'fast');
	die "replica did not stop: $o" if $c;
}
sub rsql {
	my ($sql) = @_;
	my ($c, $o, $e) = CarBot::Test::_run([$bin . '/psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
	                                      '-h', "$rdir/sock", '-p', $rport, '-U', 'postgres',
	                                      '-d', 'carbot', '-c', $sql], env => {LC_ALL => 'C'});
	die "replica sql failed: $e" if $c;
	chomp $o;
	return $o;
}
replica_start();
is rsql('SELECT pg_is_in_recovery()'), 't', 'the replica is in recovery (a standby)';
my $ro_dsn = "host=$rdir/sock port=$rport dbname=carbot user=postgres";

sub start_with_lag {
	my ($lag) = @_;
	$t->stop_carbotd;
	$t->write_conf(path => $t->conf_path, %{$t->{opt}},
	               conf => {%{$t->{opt}{conf} || {}}, read_only_database_url => $ro_dsn,
	                        read_only_max_lag => $lag});
	$t->start_carbotd;
}
start_with_lag(60);

sub wait_for {
	my ($what, $cond, $secs) = @_;
	my $end = time + ($secs // 30);
	while (time < $end) { return 1 if $cond->(); sleep 0.1 }
	diag "timed out waiting for $what";
	return 0;
}

my $o = CarBot::Chat::owner($t, tier => 'premium');
my $sid = CarBot::Chat::session($t, $o);
sub say { is CarBot::Chat::chat($t, $o, $sid, "Wann habt ihr offen? $_[0]")->{status}, 200, "message $_[0]" }
sub analytics_msgs {
	my $r = $t->get("/api/v1/client-keys/$o->{key_id}/analytics", headers => $o->{bearer});
	return $r->{status} == 200 ? $r->{json}{usage_stats}{current_period}{messages} : "status $r->{status}";
}
# -1 until the replica has replayed the migrations (it was copied before them)
sub replica_msgs {
	return eval { rsql("SELECT count(*) FROM messages m JOIN conversations v ON v.id = m.conversation_id
	             WHERE v.client_key_id = '$o->{key_id}' AND m.role = 'user'") } // -1;
}
sub primary_msgs {
	return $t->sql("SELECT count(*) FROM messages m JOIN conversations v ON v.id = m.conversation_id
	                WHERE v.client_key_id = :'p1' AND m.role = 'user'", $o->{key_id})->[0][0];
}

subtest 'analytics are read from the replica' => sub {
	say($_) for 1 .. 3;
	my $n = primary_msgs();
	ok $n >= 3, "the primary has $n visitor messages";
	ok wait_for('replay', sub { replica_msgs() == $n }), 'the replica has them too';
	is analytics_msgs(), $n, "analytics: $n";
	rsql('SELECT pg_wal_replay_pause()');
	say($_) for 4 .. 5;
	my $m = primary_msgs();
	ok $m > $n, "the primary has $m now";
	is replica_msgs(), $n, "the paused replica still $n";
	is analytics_msgs(), $n, "analytics say $n: they come from the replica";
	rsql('SELECT pg_wal_replay_resume()');
	ok wait_for('caught up', sub { analytics_msgs() == $m }), "replay resumed: analytics $m";
};

subtest 'a replica lagging beyond read_only_max_lag is left for the primary' => sub {
	start_with_lag(1);
	my $n = primary_msgs();
	ok wait_for('replay', sub { replica_msgs() == $n }), 'the replica is in step';
	is analytics_msgs(), $n, "analytics: $n";
	rsql('SELECT pg_wal_replay_pause()');
	say(6);
	my $m = primary_msgs();
	ok wait_for('lag', sub {
		rsql("SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) > 1.5") eq 't';
	}), 'the replica lags more than a second behind';
	sleep 1.1; # the lag is looked at once a second
	is analytics_msgs(), $m, "analytics: $m, from the primary";
	like $t->log, qr/read replica not used, read-only queries go to the primary: it lags behind/,
	  'logged: why the primary answers';
	rsql('SELECT pg_wal_replay_resume()');
	ok wait_for('replica used again', sub { analytics_msgs() == $m && $t->log =~ /read replica usable again/ }),
	  'replay resumed: the replica is used again (logged)'
	  or diag rsql('SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), pg_last_xact_replay_timestamp()');
};

subtest 'a replica that is down is left for the primary' => sub {
	replica_stop();
	sleep 1.1;
	my $m = primary_msgs();
	is analytics_msgs(), $m, "analytics still answer ($m, from the primary)";
	like $t->log, qr/read replica not used[^"]*(?:unreachable|does not answer)/,
	  'logged: the replica does not answer';
	is analytics_msgs(), $m, 'and again';
	replica_start();
	say(7);
	my $k = primary_msgs();
	ok wait_for('back', sub { analytics_msgs() == $k && replica_msgs() == $k }), 'the replica is back in step';
	is $t->get('/readyz')->{status}, 200, '/readyz 200 all along';
};

$t->stop_carbotd;
replica_stop();
done_testing;
