# Stripe-Signature on POST /api/v1/billing/webhook, held against Stripe's own
# library: headers made by the npm stripe package (generateTestHeaderString)
# verify; a tampered body, a wrong secret, a timestamp beyond the tolerance
# (either way), a missing header, only v0 and malformed headers do not. A
# second, previous secret is accepted while a secret is rolled. Each event is
# stored once; a replay changes nothing.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use HTTP::Tiny;
use POSIX ();
use CarBot::Test;
use CarBot::Auth;
use CarBot::Stripe;

my $OLD = 'whsec_previous_' . ('p' x 20);
my $t = CarBot::Auth::server(
	plugins => ['auth', 'billing'], conf => {job_poll_ms => 50},
	plugin_conf => {billing => {webhook_secret => $WEBHOOK_SECRET, webhook_secret_previous => $OLD,
	                            stripe_api_base => 'http://127.0.0.1:1', webhook_tolerance => 300}});

my $n = 0;
# An event of a type billing ignores, so processing needs no Stripe.
sub event_body { JSON::PP->new->canonical->encode({id => sprintf('evt_sig_%d_%d', $$, ++$n),
	object => 'event', type => 'test.signature', data => {object => {id => 'x'}}, @_}) }
sub hook {
	my ($body, $header) = @_;
	return $t->post('/api/v1/billing/webhook', body => $body,
		headers => {'Content-Type' => 'application/json', defined $header ? ('Stripe-Signature' => $header) : ()});
}
sub events { $t->sql("SELECT count(*) FROM billing_events")->[0][0] }

my $now = time;
my @b = map { event_body() } 1 .. 12;
my $h = CarBot::Stripe::sign([
	{payload => $b[0], secret => $WEBHOOK_SECRET},                           # 0 valid
	{payload => $b[1], secret => 'whsec_wrong_' . ('z' x 20)},               # 1 wrong secret
	{payload => $b[2], secret => $WEBHOOK_SECRET, timestamp => $now - 400},  # 2 stale
	{payload => $b[3], secret => $WEBHOOK_SECRET, timestamp => $now + 400},  # 3 future
	{payload => $b[4], secret => $WEBHOOK_SECRET, timestamp => $now - 200},  # 4 old, within tolerance
	{payload => $b[5], secret => $WEBHOOK_SECRET, scheme => 'v0'},           # 5 only v0
	{payload => $b[6], secret => $OLD},                                      # 6 previous secret
	{payload => $b[7], secret => $WEBHOOK_SECRET},                           # 7 for tampering
	{payload => $b[8], secret => $WEBHOOK_SECRET},                           # 8 combined with others
]);
like $h->[0], qr/^t=\d+,v1=[0-9a-f]{64}$/, 'the npm stripe package made a header';

subtest 'headers from Stripe\'s library verify' => sub {
	my $r = hook($b[0], $h->[0]);
	is $r->{status}, 200, 'a fresh header: 200';
	is_deeply $r->{json}, {received => JSON::PP::true, duplicate => JSON::PP::false}, 'received';
	is hook($b[4], $h->[4])->{status}, 200, '200 s old is within the 300 s tolerance';
	is hook($b[6], $h->[6])->{status}, 200, 'the previous secret is accepted while rolling';
	my ($t8, $v8) = $h->[8] =~ /^t=(\d+),v1=(\w+)$/;
	is hook($b[8], "t=$t8,v0=" . ('0' x 64) . ",v1=" . ('f' x 64) . ",v1=$v8,v9=zz")->{status}, 200,
		'v0 and unknown schemes are ignored, and any one matching v1 is enough';
};

subtest 'what must not verify' => sub {
	my $before = events();
	my @bad = (
		['a wrong secret', $b[1], $h->[1]],
		['a stale timestamp (400 s old)', $b[2], $h->[2]],
		['a future timestamp (400 s ahead)', $b[3], $h->[3]],
		['only a v0 signature', $b[5], $h->[5]],
		['a tampered body', do { (my $x = $b[7]) =~ s/test\.signature/test.signaturE/; $x }, $h->[7]],
		['a body with one more byte', "$b[7] ", $h->[7]],
		['no header', $b[0], undef],
		['an empty header', $b[0], ''],
		['no t=', $b[7], ($h->[7] =~ s/^t=\d+,//r)],
		['a t= that is no number', $b[7], ($h->[7] =~ s/^t=\d+/t=12ab/r)],
		['garbage', $b[7], 'garbage'],
		['an element without =', $b[7], "$h->[7],junk"],
		['a trailing comma', $b[7], "$h->[7],"],
		['a v1 in upper case', $b[7], ($h->[7] =~ s/(v1=)(\w+)/$1\U$2/r)],
		['a v1 cut short', $b[7], substr($h->[7], 0, -2)],
	);
	for my $c (@bad) {
		my $r = hook($c->[1], $c->[2]);
		is $r->{status}, 400, "$c->[0]: 400";
		is $r->{json}{error}{code}, 'invalid_signature', "$c->[0]: invalid_signature";
	}
	is events(), $before, 'and nothing was stored';
	my $lines = $t->log;
	unlike $lines, qr/\Q$WEBHOOK_SECRET\E|\Q$OLD\E/, 'no secret in the log';
};

subtest 'each event is stored and processed once' => sub {
	my $body = event_body();
	my $hs = CarBot::Stripe::sign([{payload => $body, secret => $WEBHOOK_SECRET}, {payload => $body, secret => $WEBHOOK_SECRET, timestamp => time - 5}]);
	is hook($body, $hs->[0])->{json}{duplicate}, JSON::PP::false, 'first delivery';
	my $r = hook($body, $hs->[1]);
	is $r->{status}, 200, 'a replay (re-signed) is answered 200';
	is $r->{json}{duplicate}, JSON::PP::true, 'and marked a duplicate';
	my $id = JSON::PP->new->decode($body)->{id};
	is $t->sql("SELECT count(*) FROM billing_events WHERE id = :'p1'", $id)->[0][0], 1, 'one row';
	is $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'billing.event' AND payload->>'event_id' = :'p1'", $id)->[0][0],
		1, 'one job';
	ok wait_for(sub { $t->sql("SELECT processed_at IS NOT NULL FROM billing_events WHERE id = :'p1'", $id)->[0][0] eq 't' }),
		'processed by the job (an ignored type)';
	is $t->sql("SELECT outcome FROM billing_events WHERE id = :'p1'", $id)->[0][0], 'ignored', 'as ignored';
};

subtest 'the same event delivered eight times at once: one row, one job' => sub {
	my $body = event_body();
	my $hdr = CarBot::Stripe::sign([{payload => $body, secret => $WEBHOOK_SECRET}])->[0];
	my @pids;
	for my $i (1 .. 8) {
		my $pid = fork // die;
		if (!$pid) {
			my $r = HTTP::Tiny->new->post($t->url('/api/v1/billing/webhook'),
				{content => $body, headers => {'Content-Type' => 'application/json', 'Stripe-Signature' => $hdr}});
			POSIX::_exit($r->{status} == 200 ? 0 : 1);
		}
		push @pids, $pid;
	}
	my $ok = 0;
	for (@pids) { waitpid $_, 0; $ok++ if $? == 0 }
	is $ok, 8, 'all eight answered 200';
	my $id = JSON::PP->new->decode($body)->{id};
	is $t->sql("SELECT count(*) FROM billing_events WHERE id = :'p1'", $id)->[0][0], 1, 'one row';
	is $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'billing.event' AND payload->>'event_id' = :'p1'", $id)->[0][0],
		1, 'one job';
};

subtest 'without an API key: 503 payment_provider_unconfigured' => sub {
	my $u = CarBot::Auth::register($t);
	my $r = $t->post('/api/v1/billing/checkout', headers => bearer($u->{access}), json => {plan => 'premium'});
	is $r->{status}, 503, 'checkout: 503';
	is $r->{json}{error}{code}, 'payment_provider_unconfigured', 'payment_provider_unconfigured';
	is $t->get('/api/v1/billing/plans')->{json}{test_mode}, JSON::PP::false, 'and plans say test_mode false';
};

subtest 'a signed body that is not an event' => sub {
	my @cases = ('{"id":"nope","type":"x","data":{}}', '{"type":"x","data":{}}', '[1,2]', 'not json',
	             '{"id":"evt_1","data":{}}', '{"id":"evt_1","type":"x","data":"s"}');
	my $hs = CarBot::Stripe::sign([map { {payload => $_, secret => $WEBHOOK_SECRET} } @cases]);
	for my $i (0 .. $#cases) {
		my $r = hook($cases[$i], $hs->[$i]);
		is $r->{status}, 400, "$cases[$i]: 400";
		is $r->{json}{error}{code}, 'invalid_event', "$cases[$i]: invalid_event";
	}
};

subtest 'an oversized body is refused before anything else' => sub {
	my $big = event_body(pad => 'x' x (600 * 1024));
	my $r = hook($big, 't=1,v1=' . ('0' x 64));
	is $r->{status}, 413, 'over 512 KiB: 413';
};

done_testing;
