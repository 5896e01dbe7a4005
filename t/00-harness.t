# The integration-test harness itself, without carbotd: PostgreSQL, Redis,
# config generation and cleanup.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::INET;
use CarBot::Test;

sub redis_cmd {
	my ($addr, $cmd) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => $addr, Timeout => 2) or return undef;
	print {$s} "$cmd\r\n";
	my $l = <$s>;
	return $l;
}

my $t = CarBot::Test->new(start => 0, plugins => ['auth', 'tenants'], test_plugins => ['probe'],
                          plugin_conf => {auth => {jwt_secret => 'a secret # with hash'}},
                          conf => {io_threads => 4, job_threads => 0, log_level => undef},
                          extra_conf => "# tail\n");
ok -d $t->tmpdir, 'temp dir exists';
ok !defined $t->carbotd_pid, 'start => 0 does not start carbotd';

# PostgreSQL
is_deeply $t->sql('SELECT 1'), [['1']], 'SELECT 1';
is_deeply $t->sql("SELECT NULL, '', 'a|b', E'x\\ny'"), [[undef, '', 'a|b', "x\ny"]],
  'NULL, empty string, separators and newlines survive';
is_deeply $t->sql('SELECT g FROM generate_series(1, 3) g'), [[1], [2], [3]], 'several rows';
is_deeply $t->sql("SELECT :'p1', :'p2'::int + 1", "O'Reilly'); DROP TABLE x; --", 41),
  [["O'Reilly'); DROP TABLE x; --", '42']], 'params bound as :\'pN\', quote included';
is_deeply $t->sql("SELECT :'p1', length(:'p1')", "caf\x{e9} \x{1f697}"), [["caf\x{e9} \x{1f697}", 6]],
  'UTF-8 round trip';
is_deeply $t->sql("CREATE TABLE kv (k text PRIMARY KEY, v text); INSERT INTO kv VALUES ('a', '1')"),
  [], 'statements without rows return no rows';
ok !eval { $t->sql('SELECT * FROM no_such_table'); 1 }, 'failing SQL dies';
like $@, qr/no_such_table/, '... with psql\'s error';
is_deeply $t->sql('SELECT current_database(), current_user'), [['carbot', 'postgres']],
  'database carbot, user postgres';
like $t->pg_dsn, qr/^host=\S+ port=\d+ dbname=carbot user=postgres$/, 'pg_dsn';

my ($before) = @{$t->sql('SELECT pg_postmaster_start_time()')->[0]};
ok $t->restart_pg, 'restart_pg';
my ($after) = @{$t->sql('SELECT pg_postmaster_start_time()')->[0]};
isnt $after, $before, 'postmaster restarted';
is_deeply $t->sql('SELECT v FROM kv'), [['1']], 'data survives the restart';
ok $t->stop_pg, 'stop_pg';
ok !eval { $t->sql('SELECT 1'); 1 }, 'no PostgreSQL after stop_pg';
ok $t->start_pg, 'start_pg';
is_deeply $t->sql('SELECT 1'), [['1']], 'PostgreSQL back';

# Redis
like $t->redis_addr, qr/^127\.0\.0\.1:\d+$/, 'redis_addr';
is redis_cmd($t->redis_addr, 'PING'), "+PONG\r\n", 'Redis answers PING';
ok $t->stop_redis, 'stop_redis';
ok !defined redis_cmd($t->redis_addr, 'PING'), 'Redis gone';
ok $t->start_redis, 'start_redis';
is redis_cmd($t->redis_addr, 'PING'), "+PONG\r\n", 'Redis back on the same port';

# The generated config
open my $fh, '<', $t->conf_path or die;
my $conf = do { local $/; <$fh> };
my $port = $t->port;
my $build = $t->build;
like $conf, qr/^listen = 127\.0\.0\.1:$port$/m, 'listen';
like $conf, qr/^database_url = "\Q${\ $t->pg_dsn}\E"$/m, 'database_url quoted';
like $conf, qr/^redis = \Q${\ $t->redis_addr}\E$/m, 'redis';
like $conf, qr/^plugin_dir = \Q$build\E\/plugins$/m, 'plugin_dir';
like $conf, qr/^io_threads = 4$/m, 'conf overrides a default';
like $conf, qr/^job_threads = 0$/m, 'conf adds a key';
unlike $conf, qr/^log_level/m, 'conf undef removes a key';
like $conf, qr/\[plugin auth\]\njwt_secret = "a secret # with hash"\n\n\[plugin tenants\]\n\n\[plugin probe\]\nfile = \Q$build\E\/t\/plugins\/probe\.so\n\n# tail\n\z/,
  'plugin sections in order, test plugin file, extra_conf last';
my $other = $t->write_conf(plugins => ['x']);
isnt $other, $t->conf_path, 'write_conf writes a new file';
like do { open my $o, '<', $other or die; local $/; <$o> }, qr/^log_level = debug\n.*^\[plugin x\]$/ms,
  'write_conf builds from its own options';
is $t->url('/healthz'), "http://127.0.0.1:$port/healthz", 'url';
is $t->get('/healthz')->{status}, 599, 'no carbotd: connection fails with 599';

# A second harness alongside, without Redis
my $t2 = CarBot::Test->new(start => 0, redis => 0);
isnt $t2->port, $t->port, 'second harness gets its own ports';
ok !defined redis_cmd($t2->redis_addr, 'PING'), 'redis => 0: nothing listens on redis_addr';
is_deeply $t2->sql('SELECT count(*) FROM pg_tables WHERE tablename = \'kv\''), [['0']],
  'second harness has its own database';

# carbotd on Redis's unix socket (as make run does)
my $t3 = CarBot::Test->new(redis_unix => 1);
like $t3->redis_addr, qr{^unix:/.*/redis\.sock$}, 'redis_unix => 1: the socket';
like do { open my $c, '<', $t3->conf_path or die; local $/; <$c> }, qr/^redis = unix:/m,
  'carbotd is configured with it';
is $t3->get('/readyz')->{status}, 200, 'and reaches Redis through it';

# Cleanup
# A process that exited may linger a moment as a zombie until init reaps it.
sub gone {
	my ($pid) = @_;
	for (1 .. 100) {
		return 1 unless kill 0, $pid;
		open my $h, '<', "/proc/$pid/stat" or return 1;
		return 1 if (<$h> // '') =~ /^\d+ \(.*\) Z/;
		select undef, undef, undef, 0.05;
	}
	return 0;
}
sub pid_in { my ($f) = @_; open my $h, '<', $f or return undef; my $l = <$h>; $l =~ /(\d+)/ ? $1 : undef }
my $dir = $t->tmpdir;
my $pg_pid = pid_in("$dir/pg/data/postmaster.pid");
my $redis_pid = pid_in("$dir/redis/redis.pid");
ok $pg_pid && kill(0, $pg_pid), 'postmaster running';
ok $redis_pid && kill(0, $redis_pid), 'redis running';
undef $t;
ok gone($pg_pid), 'postmaster gone after the harness is destroyed';
ok gone($redis_pid), 'redis gone';
ok !-e $dir, 'temp dir removed';

done_testing;
