# Usage accounting of client keys: the tier's conversation and message
# limits per monthly period (small numbers set here), usage_limit, the
# atomic check-and-count under concurrency, the flush of Redis's hot counters
# to PostgreSQL, recovery when Redis loses its data, refusal while it is down.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(sleep time);
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;

my $t = CarBot::Keys::server(keys => {basic_conversations => 2, basic_messages => 3,
                                      premium_conversations => 4, premium_messages => 5,
                                      flush_interval => 1});

sub key_for { CarBot::Keys::create($t, @_) }
sub record { CarBot::Keys::record($t, @_) }
sub use_key {
	my ($k, $kind) = @_;
	return CarBot::Keys::probe($t, $k->{key}, "https://$k->{domain}", json => {record => $kind});
}
sub wait_for {
	my ($cond, $secs) = @_;
	my $until = time + ($secs // 15);
	while (time < $until) {
		return 1 if $cond->();
		sleep 0.1;
	}
	return 0;
}
sub redis_cmd {
	my ($cmd) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->redis_port, Proto => 'tcp')
	  or die "redis: $!";
	print {$s} "$cmd\r\n";
	my $l = <$s>;
	return $l;
}
sub flushed {
	my ($k) = @_;
	my $r = $t->sql("SELECT conversations || '/' || messages FROM client_key_usage WHERE key_id = :'p1' "
	              . "ORDER BY period DESC LIMIT 1", $k->{id});
	return @$r ? $r->[0][0] : '';
}

subtest 'basic: two conversations, three messages a period, then 429 usage_limit_exceeded' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = key_for($u);
	my @s = map { use_key($k, 'conversation')->{status} } 1 .. 3;
	is_deeply \@s, [200, 200, 429], 'two conversations, then refused';
	my $r = use_key($k, 'conversation');
	is $r->{json}{error}{code}, 'usage_limit_exceeded', 'usage_limit_exceeded';
	is_deeply [@{$r->{json}{error}{details}[0]}{qw(limit used max)}], ['conversations', 2, 2],
		'the details say which limit';
	my $retry = $r->{headers}{'retry-after'};
	ok $retry > 27 * 86400 && $retry <= 31 * 86400, 'Retry-After: the end of the monthly period';
	$r = use_key($k, 'message');
	is $r->{status}, 200, 'messages are counted apart';
	is $r->{json}{remaining}, 2, 'two left';
	is use_key($k, 'message')->{status}, 200, 'second';
	is use_key($k, 'message')->{status}, 200, 'third';
	$r = use_key($k, 'message');
	is $r->{status}, 429, 'the fourth: 429';
	is_deeply [@{$r->{json}{error}{details}[0]}{qw(limit used max)}], ['messages', 3, 3], 'messages';
	$r = CarBot::Keys::probe($t, $k->{key}, "https://$k->{domain}");
	is $r->{status}, 429, 'with no messages left the authenticator refuses the key too';
	is $r->{json}{error}{code}, 'usage_limit_exceeded', 'usage_limit_exceeded';
	is CarBot::Keys::validate($t, $k->{key}, "https://$k->{domain}")->{status}, 'usage_limit_exceeded',
		'and so does validate()';
	my $g = $t->get("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}));
	is $g->{json}{current_usage}, 3, 'current_usage: messages of the period';
	is_deeply $g->{json}{usage}{conversations}, {used => 2, limit => 2}, 'conversations used';
	is_deeply $g->{json}{usage}{messages}, {used => 3, limit => 3}, 'messages used';
};

subtest 'premium: its own limits' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $k = key_for($u);
	my @s = map { record($k->{id}, 'message')->{status} } 1 .. 6;
	is_deeply \@s, [('ok') x 5, 'usage_limit_exceeded'], 'five messages';
	@s = map { record($k->{id}, 'conversation')->{status} } 1 .. 5;
	is_deeply \@s, [('ok') x 4, 'usage_limit_exceeded'], 'four conversations';
};

subtest 'enterprise: unlimited by tier, capped by the key\'s usage_limit' => sub {
	my $u = CarBot::Keys::user($t, 'enterprise');
	my $k = key_for($u, usage_limit => 100);
	my $last;
	my $ok = 0;
	for (1 .. 100) {
		$last = record($k->{id}, 'message');
		$ok++ if $last->{status} eq 'ok';
	}
	is $ok, 100, 'a hundred messages';
	is $last->{remaining}, 0, 'none left';
	my $r = record($k->{id}, 'message');
	is $r->{status}, 'usage_limit_exceeded', 'the 101st is refused';
	is $r->{limit}{name}, 'usage_limit', 'by the key\'s usage_limit';
	$r = record($k->{id}, 'conversation');
	is $r->{status}, 'ok', 'conversations are unlimited';
	is $r->{remaining}, -1, 'remaining -1: unlimited';
	is $r->{limit}{max}, -1, 'max -1';
	$r = $t->patch("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}), json => {usage_limit => 200});
	is $r->{json}{usage}{messages}{limit}, 200, 'raised to 200';
	is record($k->{id}, 'message')->{status}, 'ok', 'counts again at once';
};

subtest 'concurrent uses never take a count past its limit' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = key_for($u);
	my @kids;
	for my $i (1 .. 12) {
		my $pid = fork // die "fork: $!";
		if (!$pid) {
			my $r = HTTP::Tiny->new(timeout => 30)->post($t->url('/t/keys-validate'), {
				headers => {'Content-Type' => 'application/json'},
				content => qq({"key_id":"$k->{id}","record":"message"})});
			POSIX::_exit($r->{content} =~ /"status":"ok"/ ? 0 : 1);
		}
		push @kids, $pid;
	}
	my $ok = 0;
	for (@kids) { waitpid $_, 0; $ok++ if $? == 0 }
	is $ok, 3, 'of twelve at once, exactly three were counted';
	is $t->get("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}))->{json}{current_usage}, 3,
		'the count is three';
};

subtest 'counts are flushed to PostgreSQL by a job; reads are live before that' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $k = key_for($u);
	record($k->{id}, 'conversation');
	record($k->{id}, 'message') for 1 .. 2;
	CarBot::Keys::probe($t, $k->{key}, "https://$k->{domain}");
	is $t->get("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}))->{json}{current_usage}, 2,
		'the API shows the live count';
	ok wait_for(sub { flushed($k) eq '1/2' }), 'client_key_usage: 1 conversation, 2 messages';
	ok wait_for(sub { $t->sql("SELECT last_used_at IS NOT NULL FROM client_keys WHERE id = :'p1'",
	                          $k->{id})->[0][0] eq 't' }), 'last_used_at written';
	record($k->{id}, 'message');
	ok wait_for(sub { flushed($k) eq '1/3' }), 'a later count is flushed too';
	my $jobs = $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'keys.flush_usage' AND status = 'failed'");
	is $jobs->[0][0], 0, 'no failed flush jobs';
};

subtest 'Redis loses its data: counts resume from PostgreSQL, limits hold' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = key_for($u);
	is record($k->{id}, 'message')->{status}, 'ok', 'one' for 1 .. 2;
	ok wait_for(sub { flushed($k) eq '0/2' }), 'flushed: two messages';
	like redis_cmd('FLUSHALL'), qr/^\+OK/, 'Redis emptied';
	my $r = record($k->{id}, 'message');
	is $r->{status}, 'ok', 'the third message';
	is $r->{limit}{used}, 3, 'counted on top of the flushed two';
	is record($k->{id}, 'message')->{status}, 'usage_limit_exceeded', 'the fourth is refused';
};

subtest 'Redis down: usage is refused rather than counted wrong' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = key_for($u);
	$t->stop_redis;
	my $r = use_key($k, 'message');
	is $r->{status}, 503, 'counting a use: 503';
	is $r->{json}{error}{code}, 'unavailable', 'unavailable';
	is record($k->{id}, 'message')->{status}, 'unavailable', 'record_usage: unavailable';
	is CarBot::Keys::probe($t, $k->{key}, "https://$k->{domain}")->{status}, 200,
		'a request that counts nothing still gets through (rate limits fail open)';
	$t->start_redis;
	ok wait_for(sub { record($k->{id}, 'message')->{status} eq 'ok' }, 5), 'back to normal with Redis';
};

subtest 'record_usage refuses unknown kinds, unknown and revoked keys' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $k = key_for($u);
	is record($k->{id}, 'lookup')->{status}, 'unknown', 'an unknown kind';
	is record('00000000-0000-4000-8000-000000000000', 'message')->{status}, 'unknown', 'an unknown key';
	is record('nonsense', 'message')->{status}, 'unknown', 'not an id';
	$t->del("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}));
	is record($k->{id}, 'message')->{status}, 'revoked', 'a revoked key';
	my $off = key_for($u);
	$t->patch("/api/v1/client-keys/$off->{id}", headers => bearer($u->{access}), json => {is_active => JSON::PP::false});
	is record($off->{id}, 'message')->{status}, 'inactive', 'a switched-off key';
};

subtest 'usage_queue: counted behind the caller\'s rate limit, in the caller\'s round trip' => sub {
	my $u = CarBot::Keys::user($t);    # basic: 3 messages
	my $k = key_for($u);
	my $g = sub {
		my (%o) = @_;
		return $t->post('/t/keys-validate', json => {key_id => $o{key_id} // $k->{id}, record => $o{kind} // 'message',
		                                             guard => {name => $o{name} // "g$k->{id}", limit => $o{limit} // 2,
		                                                       window => 60}})->{json};
	};
	redis_cmd('SET keysprobe:neighbour here');
	my $r = $g->();
	is_deeply [@$r{qw(queued status allowed guard_remaining neighbour)}], ['ok', 'ok', 1, 1, 'here'],
		'counted; the caller\'s own command ran in the same pipeline';
	is_deeply $r->{limit}{used}, 1, 'one message used';
	is $g->()->{status}, 'ok', 'second';
	$r = $g->();
	is_deeply [@$r{qw(status allowed)}], ['rate_limited', 0], 'the third: the limit of 2 refuses';
	is $t->get("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}))->{json}{current_usage}, 2,
		'and nothing was counted';
	$r = $g->(name => 'other', limit => 5);
	is $r->{status}, 'ok', 'behind another limit: the third message';
	$r = $g->(name => 'other', limit => 5);
	is_deeply [@$r{qw(status allowed)}], ['usage_limit_exceeded', 1], 'the fourth: the tier refuses';
	is $r->{limit}{used}, 3, 'at three';
	is $g->(kind => 'lookup')->{queued}, 'unknown', 'an unknown kind is not queued';
	is $g->(key_id => '00000000-0000-4000-8000-000000000000')->{queued}, 'unknown', 'nor an unknown key';
	is $g->(limit => -1)->{queued}, 'unknown', 'nor a bad limit';
	is $t->post('/t/keys-validate', json => {key_id => $k->{id}, record => 'message', full => 1,
	                                         guard => {name => 'full', limit => 2, window => 60}})->{json}{queued},
		'unavailable', 'a pipeline with no room left: unavailable, nothing queued';
	my $answered = $t->post('/t/keys-validate', json => {key_id => $k->{id}, record => 'message', reply => 1,
	                                                     guard => {name => "g$k->{id}", limit => 2, window => 60}});
	is $answered->{status}, 429, 'reply() answers a refusal by the caller\'s limit with 429';
	is $answered->{json}{error}{code}, 'rate_limited', 'rate_limited';

	my $v = key_for($u);
	is $g->(key_id => $v->{id}, name => 'v')->{status}, 'ok', 'a second key';
	ok wait_for(sub { flushed($v) eq '0/1' }), 'flushed';
	like redis_cmd('FLUSHALL'), qr/^\+OK/, 'Redis emptied';
	$r = $g->(key_id => $v->{id}, name => 'v');
	is_deeply [@$r{qw(status allowed)}], ['ok', 1], 'counts on after Redis lost its data';
	is $r->{limit}{used}, 2, 'from the flushed one';

	my @kids;
	my $w = key_for($u);
	for my $i (1 .. 12) {
		my $pid = fork // die "fork: $!";
		if (!$pid) {
			my $x = HTTP::Tiny->new(timeout => 30)->post($t->url('/t/keys-validate'), {
				headers => {'Content-Type' => 'application/json'},
				content => qq({"key_id":"$w->{id}","record":"message","guard":{"name":"w","limit":100,"window":60}})});
			POSIX::_exit($x->{content} =~ /"status":"ok"/ ? 0 : 1);
		}
		push @kids, $pid;
	}
	my $ok = 0;
	for (@kids) { waitpid $_, 0; $ok++ if $? == 0 }
	is $ok, 3, 'of twelve at once, exactly three were counted';

	$t->stop_redis;
	$r = $g->(key_id => $w->{id}, name => 'down');
	is_deeply [@$r{qw(status allowed guard_unavailable)}], ['unavailable', 1, 1],
		'Redis down: the limit fails open, the count is refused';
	$t->start_redis;
	ok wait_for(sub { $g->(key_id => $v->{id}, name => 'up')->{status} eq 'ok' }, 5), 'back with Redis';
};

subtest 'monthly periods from the key\'s creation' => sub {
	my $idx = sub { $t->sql("SELECT keys_period_index(:'p1'::timestamptz, :'p2'::timestamptz)", @_)->[0][0] };
	is $idx->('2025-01-15 10:00Z', '2025-01-15 10:00Z'), 0, 'starts with period 0';
	is $idx->('2025-01-15 10:00Z', '2025-02-15 09:59Z'), 0, 'a month minus a minute: still 0';
	is $idx->('2025-01-15 10:00Z', '2025-02-15 10:00Z'), 1, 'a month: 1';
	is $idx->('2025-01-31 00:00Z', '2025-02-28 00:00Z'), 1, 'Jan 31 + 1 month is Feb 28';
	is $idx->('2025-01-31 00:00Z', '2025-03-30 23:59Z'), 1, 'and period 2 starts on Mar 31 (no drift)';
	is $idx->('2025-01-31 00:00Z', '2025-03-31 00:00Z'), 2, 'Mar 31: 2';
	is $idx->('2024-02-29 12:00Z', '2025-02-28 12:00Z'), 12, 'a leap day: a year later on Feb 28';
	is $idx->('2025-01-15 10:00Z', '2024-12-01 00:00Z'), 0, 'before the anchor: 0';

	my $u = CarBot::Keys::user($t, 'premium');
	my $k = key_for($u);
	record($k->{id}, 'message') for 1 .. 5;
	is record($k->{id}, 'message')->{status}, 'usage_limit_exceeded', 'used up';
	ok wait_for(sub { flushed($k) eq '0/5' }), 'flushed';
	$t->sql("UPDATE client_keys SET period_start = period_start - interval '1 month 1 minute' WHERE id = :'p1'", $k->{id});
	# the change went behind the plugin's back: a PATCH drops the cached key
	is $t->patch("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}), json => {description => 'x'})->{status},
		200, 'changed through the API';
	my $r = record($k->{id}, 'message');
	is $r->{status}, 'ok', 'a new period: counting from zero';
	is $r->{limit}{used}, 1, 'one';
	my $g = $t->get("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}));
	is $g->{json}{current_usage}, 1, 'current_usage of the new period';
	ok wait_for(sub { flushed($k) eq '0/1' }), 'flushed into the new period';
	is $t->sql("SELECT string_agg(period || ':' || messages, ',' ORDER BY period) FROM client_key_usage "
	         . "WHERE key_id = :'p1'", $k->{id})->[0][0], '0:5,1:1', 'the previous period is kept';
};

done_testing;
