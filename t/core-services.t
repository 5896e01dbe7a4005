# The services the SDK gives plugins, against real PostgreSQL and Redis:
# queries and transactions, recovery after a database restart, Redis and its
# documented behaviour when down, hooks, durable jobs, outbound HTTP.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep time);
use CarBot::Test;
use CarBot::Stub;

my $t = CarBot::Test->new(test_plugins => ['testkit'], conf => {job_poll_ms => 50});

sub wait_for {
	my ($what, $cond, $secs) = @_;
	my $until = time + ($secs // 10);
	while (time < $until) {
		return 1 if $cond->();
		sleep 0.1;
	}
	return 0;
}

subtest 'parameterised query with a value that looks like SQL' => sub {
	# percent-encoded: HTTP::Tiny 0.080 of perl 5.36.0-7+deb12u4 refuses raw ' ; and spaces
	my $r = $t->get("/t/db?v=" . "x%27%3B%20DROP%20TABLE%20testkit_items%3B%20--");
	is $r->{status}, 200;
	is $r->{json}{v}, "x'; DROP TABLE testkit_items; --!", 'value travelled as a parameter';
	is $t->sql("SELECT count(*) FROM testkit_items")->[0][0], 0, 'table still there';
};

subtest 'a failed handler rolls its transaction back' => sub {
	my $r = $t->post('/t/tx?fail=1', json => {name => 'alpha'});
	is $r->{status}, 500, 'handler failure answers 500';
	is $r->{json}{error}{code}, 'internal_error';
	is $t->sql("SELECT count(*) FROM testkit_items WHERE name LIKE 'alpha%'")->[0][0], 0,
		'nothing written';
	is $t->post('/t/tx', json => {name => 'alpha'})->{status}, 201, 'committed transaction';
	is $t->sql("SELECT count(*) FROM testkit_items WHERE name LIKE 'alpha%'")->[0][0], 2,
		'both rows written';
	my $dup = $t->post('/t/tx', json => {name => 'alpha'});
	is $dup->{status}, 500, 'unique violation in the first insert fails';
	$t->sql("INSERT INTO testkit_items (name) VALUES ('beta-2')");
	$r = $t->post('/t/tx', json => {name => 'beta'});
	is $r->{status}, 409, 'sqlstate 23505 readable by the plugin';
	is $t->sql("SELECT count(*) FROM testkit_items WHERE name = 'beta'")->[0][0], 0,
		'the half-done transaction was rolled back';
};

subtest 'a database restart under a running carbotd is survived' => sub {
	is $t->get('/t/db?v=a')->{status}, 200, 'works before';
	$t->get('/t/db?v=warm') for 1 .. 4; # several pooled connections
	$t->stop_pg;
	my $r = $t->get('/t/db?v=b');
	is $r->{status}, 503, 'database down: 503';
	is $r->{json}{error}{code}, 'unavailable', 'clear error code';
	is $t->get('/readyz')->{status}, 503, 'readyz reports not ready';
	is $t->get('/healthz')->{status}, 200, 'healthz still answers: the process is alive';
	$t->start_pg;
	ok wait_for('db back', sub { $t->get('/t/db?v=c')->{status} == 200 }), 'works again without restarting carbotd';
	my @codes = map { $t->get("/t/db?v=$_")->{status} } 1 .. 8;
	is_deeply \@codes, [(200) x 8], 'every pooled connection was re-established';
	is $t->get('/readyz')->{status}, 200, 'ready again';
};

subtest 'statements are prepared once per connection and survive a changed table' => sub {
	my $self = 'SELECT statement FROM pg_prepared_statements ORDER BY name';
	my $db = q{SELECT $1::text || '!' AS v, count(*) AS n FROM testkit_items};
	my $r = $t->get('/t/db/prepared');
	is $r->{status}, 200;
	ok((grep { $_ eq $self } @{$r->{json}}), 'the query itself ran as a prepared statement');
	# three runs on one connection (a request keeps its connection; which
	# pooled connection the next request gets depends on the load)
	my @same = grep { $_ eq $db } @{$t->get('/t/db/prepared?run=3')->{json}};
	is scalar @same, 1, 'a statement run three times is prepared once';
	is $t->get('/t/db?v=p')->{json}{v}, 'p!', 'and answers with the values of each run';
	my $before = $t->get('/t/db/star');
	is $before->{status}, 200, 'SELECT * prepared';
	$t->sql('ALTER TABLE testkit_items ADD COLUMN note text');
	my $after = $t->get('/t/db/star');
	is $after->{status}, 200, 'still answers after the table gained a column (stale plan re-made)';
	is $after->{json}{columns}, $before->{json}{columns} + 1, 'with the new column';
	$t->sql('ALTER TABLE testkit_items DROP COLUMN note');
	is $t->get('/t/db/star')->{json}{columns}, $before->{json}{columns}, 'and without it again';
	my $many = $t->get('/t/db/many?n=140');
	is $many->{status}, 200, '140 distinct statements on one connection';
	ok $many->{json}{ok}, 'each answered right, the first again after it was evicted';
	ok $many->{json}{prepared} <= 128, "at most 128 stay prepared ($many->{json}{prepared})";
};

subtest 'rate limit counts, sets headers and refuses with Retry-After' => sub {
	my @r = map { $t->get('/t/limited') } 1 .. 4;
	is_deeply [map { $_->{status} } @r], [200, 200, 200, 429], 'limit of 3 per minute';
	is $r[0]{headers}{'ratelimit-limit'}, 3, 'RateLimit-Limit';
	is_deeply [map { $_->{headers}{'ratelimit-remaining'} } @r], [2, 1, 0, 0], 'RateLimit-Remaining';
	ok $r[3]{headers}{'retry-after'} > 0 && $r[3]{headers}{'retry-after'} <= 60, 'Retry-After in seconds';
	is $r[3]{json}{error}{code}, 'rate_limited', 'error shape';
	is $t->get('/t/limited?peek=1')->{status}, 429, 'looking counts nothing and is refused too';
};

# JSON true/false as 1/0, for is_deeply
sub plain {
	my ($h) = @_;
	return {map { $_ => (ref $h->{$_} ? 0 + $h->{$_} : $h->{$_}) } keys %$h};
}

subtest 'a Redis pipeline answers every command in order, rate limits included' => sub {
	my $r = $t->get('/t/pipe?name=a');
	is $r->{status}, 200;
	is_deeply plain($r->{json}), {run => 'CB_OK', set => 'OK', rate => 'CB_OK', allowed => 1, unavailable => 0,
	                       remaining => 1, get => 'v1', bad_is_error => 1, incr => 1,
	                       rate_of_get => 'CB_EINVAL', add_after_run => 'CB_EINVAL',
	                       add_when_full => 'CB_EINVAL', full_runs => 'CB_OK', last_of_full => 'PONG'},
		'each reply at its index; an error reply does not disturb the others';
	$r = $t->get('/t/pipe?name=a');
	is_deeply [@{plain($r->{json})}{qw(allowed remaining incr)}], [1, 0, 2], 'second run counts on';
	$r = $t->get('/t/pipe?name=a');
	is_deeply [@{plain($r->{json})}{qw(allowed remaining incr)}], [0, 0, 3], 'third is over the limit of 2';
	is $t->get('/t/pipe?name=b')->{json}{allowed}, 1, 'limits are per key';
	system('redis-cli', '-p', $t->redis_port, 'SCRIPT', 'FLUSH') == 0 or die 'redis-cli';
	$r = $t->get('/t/pipe?name=c');
	is_deeply [@{plain($r->{json})}{qw(run allowed remaining)}], ['CB_OK', 1, 1],
		'after Redis forgot its scripts the limit still works (NOSCRIPT reloaded)';
};

subtest 'a command sent without waiting runs, and later replies stay in order' => sub {
	my $r = $t->get('/t/send?name=a&n=3');
	is_deeply plain($r->{json}), {sent => 'CB_OK', last => 'v2', incr => 1},
		'three sends, then the GET and INCR get their own replies';
	chomp(my $v = `redis-cli -p ${\ $t->redis_port} GET testkit:send:a:0`);
	is $v, 'v0', 'the first sent SET is in Redis';
	$r = $t->get('/t/send?name=b&n=150');
	is_deeply plain($r->{json}), {sent => 'CB_OK', last => 'v149', incr => 1},
		'150 sends (more than the 64 left unread at most) keep their order';
	$r = $t->get('/t/send?name=c&n=6&bad=1');
	is_deeply plain($r->{json}), {sent => 'CB_OK', last => 'v5', incr => 1},
		'a sent command failing in the middle disturbs no other reply';
	ok wait_for('logged', sub { $t->log =~ /a command sent without waiting failed: ERR value is not an integer/ }),
		'its error reply is logged with the server\'s text';
	unlike $t->log, qr/testkit:send:c:s/, 'the log names no key or argument';
	# replies left unread by one request are read before the thread's next
	# command, whichever request runs it: every INCR answers in sequence
	$t->get("/t/send?name=d$_&n=4&wait=0") for 1 .. 40;
	my @n = map { $t->get('/t/redis')->{json}{counter} } 1 .. 40;
	is_deeply [grep { $n[$_] != $n[0] + $_ } 0 .. $#n], [], 'no request got a reply meant for a sent command';
	chomp($v = `redis-cli -p ${\ $t->redis_port} GET testkit:send:d40:3`);
	is $v, 'v3', 'the unread sends ran';
};

subtest 'a plugin script counts a limit with the core limiter (cb_ratelimit_lua)' => sub {
	my @r = map { plain($t->get('/t/rl-script?name=a')->{json}) } 1 .. 3;
	is_deeply [map { [@$_{qw(result allowed remaining work core_allows_one_more)}] } @r],
		[['CB_OK', 1, 1, '1', 1], ['CB_OK', 1, 0, '2', 0], ['CB_OK', 0, 0, '2', 0]],
		'counts 2 a minute; the work runs only when allowed; cb_ratelimit sees the same count';
	ok $r[0]{reset_set}, 'reset_ms is the window';
	is_deeply [@{$r[0]}{qw(malformed malformed_unavailable)}], ['CB_EREDIS', 1],
		'a reply that is no {allowed, remaining, reset_ms} counts as Redis unreachable';
	is $t->get('/t/rl-script?name=b')->{json}{allowed}, 1, 'per key';
};

subtest 'Redis down: commands fail fast with 503, limits fail open, readyz says why' => sub {
	is $t->get('/t/redis')->{status}, 200, 'Redis works';
	$t->get('/t/redis') for 1 .. 40; # many handler threads now hold a connection
	$t->stop_redis;
	my $r = $t->get('/t/redis');
	is $r->{status}, 503, 'a Redis command fails with 503';
	$r = $t->get('/t/limited');
	is $r->{status}, 200, 'rate limit fails open (ratelimit_on_redis_down = open)';
	ok $r->{json}{unavailable}, 'the plugin is told the limit was not checked';
	$r = $t->get('/t/pipe?name=down');
	is_deeply [@{plain($r->{json})}{qw(run rate allowed unavailable get)}], ['CB_EREDIS', 'CB_EREDIS', 1, 1, undef],
		'a pipeline fails as a whole; its limits fail open too';
	# the first write on a connection Redis has closed may still be accepted
	# by the kernel (the command is lost; the next command notices): the
	# next one fails
	is $t->get('/t/send?name=down&n=3&wait=0')->{json}{sent}, 'CB_EREDIS', 'a send says Redis is unreachable';
	my $ready = $t->get('/readyz');
	is $ready->{status}, 503, 'readyz 503';
	is_deeply [map { "$_->{check}=$_->{status}" } @{$ready->{json}{error}{details}}], ['redis=unreachable'],
		'names Redis';
	$t->start_redis;
	ok wait_for('redis back', sub { $t->get('/t/redis')->{status} == 200 }), 'reconnects by itself';
	my @codes = map { $t->get('/t/redis')->{status} } 1 .. 40;
	is_deeply [grep { $_ != 200 } @codes], [], 'every thread\'s stale connection recovers on its next command';
	like $t->log, qr/redis unreachable/, 'the outage is logged';
};

subtest 'hooks run by priority and a .before subscriber can veto' => sub {
	my $r = $t->post('/t/hook', json => {name => 'fine'});
	is $r->{status}, 200;
	is $r->{json}{order}, 'ABC', 'FIRST, MIDDLE, LAST whatever the registration order';
	is $r->{json}{after}, 'ABCD', 'the plain event ran after';
	$r = $t->post('/t/hook', json => {name => 'veto'});
	is $r->{status}, 409, 'vetoed';
	is $r->{json}{error}{code}, 'not_allowed', 'the veto code reaches the emitter';
	like $r->{json}{error}{message}, qr/order AB\)/, 'subscribers after the veto did not run';
};

subtest 'jobs run, retry with backoff, and failures stay visible' => sub {
	my $r = $t->post('/t/job', json => {tag => 'ok-now', fail => 0});
	is $r->{status}, 202;
	my $id = $r->{json}{job_id};
	ok wait_for('job done', sub { $t->sql("SELECT status FROM cb_jobs WHERE id = :'p1'", $id)->[0][0] eq 'done' }),
		'job done';
	$r = $t->post('/t/job', json => {tag => 'once', fail => 1});
	$id = $r->{json}{job_id};
	ok wait_for('retried', sub { $t->sql("SELECT status FROM cb_jobs WHERE id = :'p1'", $id)->[0][0] eq 'done' }, 15),
		'a job failing once succeeds on retry (after a 2 s backoff)';
	is $t->sql("SELECT attempts FROM cb_jobs WHERE id = :'p1'", $id)->[0][0], 2, 'two attempts';
	$r = $t->post('/t/job', json => {tag => 'never', fail => 99});
	$id = $r->{json}{job_id};
	# compress the backoff so the test need not wait minutes
	ok wait_for('failed', sub {
		$t->sql("UPDATE cb_jobs SET run_at = now() WHERE id = :'p1' AND status = 'pending'", $id);
		$t->sql("SELECT status FROM cb_jobs WHERE id = :'p1'", $id)->[0][0] eq 'failed';
	}, 20), 'gives up after max_attempts';
	my $row = $t->sql("SELECT attempts, last_error FROM cb_jobs WHERE id = :'p1'", $id)->[0];
	is $row->[0], 3, 'three attempts';
	is $row->[1], 'planned failure for never', 'the handler\'s reason is kept';
	like $t->get('/metrics')->{content}, qr/^carbot_jobs\{status="failed"\} 1$/m, 'counted in metrics';
};

subtest 'outbound HTTP: response, timeout, size cap, redirects' => sub {
	my $stub = CarBot::Stub->new(routes => {
		'GET /ok' => sub { [200, ['Content-Type' => 'text/plain'], 'hello'] },
		'GET /slow' => sub { sleep 3; [200, [], 'late'] },
		'GET /big' => sub { [200, [], 'x' x 200_000] },
		'GET /same' => sub { [302, [Location => '/ok'], ''] },
		'GET /other' => sub { [302, [Location => 'http://localhost:' . $_[0]{headers}{host} =~ s/.*://r . '/ok'], ''] },
		'GET /port' => sub { [302, [Location => 'http://127.0.0.1:9/ok'], ''] },
	});
	my $f = sub { $t->get('/t/fetch?url=' . $stub->url($_[0]) . ($_[1] // ''))->{json} };
	my $r = $f->('/ok');
	is_deeply [@$r{qw(rc status body)}], ['CB_OK', 200, 'hello'], 'a response';
	is $f->('/slow', '&timeout_ms=500')->{rc}, 'CB_ETIMEOUT', 'timeout';
	is $f->('/big', '&max=1000')->{rc}, 'CB_ETOOBIG', 'size cap';
	is $f->('/big')->{length}, 200_000, 'under the default cap';
	is_deeply [@{$f->('/same', '&follow=1')}{qw(rc body)}], ['CB_OK', 'hello'], 'same-host redirect followed';
	is $f->('/same')->{status}, 302, 'redirects not followed unless asked';
	$r = $f->('/other', '&follow=1');
	is $r->{rc}, 'CB_EFETCH', 'redirect to another host refused';
	like $r->{error}, qr/another host/, 'with the reason';
	$r = $f->('/port', '&follow=1');
	is $r->{rc}, 'CB_EFETCH', 'redirect to another port of the same host refused';
	is $t->get('/t/fetch?url=ftp://example.invalid/x')->{json}{rc}, 'CB_EINVAL', 'only http(s)';
	$r = $f->('/ok', '&public=1');
	is $r->{rc}, 'CB_EFETCH', 'public_only refuses loopback (SSRF guard)';
	like $r->{error}, qr/not public/, 'with the reason';
	for my $host ('10.1.2.3', '192.168.1.1', '172.16.0.1', '169.254.169.254', '[::1]', '0.0.0.0') {
		my $u = "http://$host:9/x";
		is $t->get("/t/fetch?public=1&timeout_ms=2000&url=$u")->{json}{error},
			'the address is not public (refused)', "public_only refuses $host";
	}
};

subtest 'fetch_private_ok lifts public_only for tests and development' => sub {
	my $stub = CarBot::Stub->new(routes => {'GET /ok' => sub { [200, [], 'hello'] }});
	$t->stop_carbotd;
	$t->write_conf(path => $t->conf_path, test_plugins => ['testkit'],
		conf => {job_poll_ms => 50, fetch_private_ok => 'on'});
	$t->start_carbotd;
	my $r = $t->get('/t/fetch?public=1&url=' . $stub->url('/ok'))->{json};
	is_deeply [@$r{qw(rc body)}], ['CB_OK', 'hello'], 'loopback reachable again';
};

subtest 'handler threads run at handler_nice, the event loops at 0' => sub {
	my $n = CarBot::Test->new(test_plugins => ['testkit'],
	                          conf => {handler_nice => 7, handler_threads => 3, io_threads => 2});
	is $n->get('/healthz')->{status}, 200;
	my %nice;
	for my $stat (glob '/proc/' . $n->carbotd_pid . '/task/*/stat') {
		open my $fh, '<', $stat or next;
		my $line = <$fh>;
		my @f = split ' ', substr($line, rindex($line, ')') + 2);
		$nice{$f[16]}++; # field 19 of stat: nice
	}
	is $nice{7}, 3, 'three handler threads at nice 7';
	ok $nice{0} >= 3, 'main and I/O threads at 0';
};

subtest 'db_prepare = off runs every statement unprepared' => sub {
	my $off = CarBot::Test->new(test_plugins => ['testkit'], conf => {db_prepare => 'off'});
	my $r = $off->get('/t/db/prepared');
	is $r->{status}, 200;
	is_deeply $r->{json}, [], 'nothing prepared on the connection';
	is $off->get('/t/db?v=q')->{json}{v}, 'q!', 'queries work';
};

done_testing;
