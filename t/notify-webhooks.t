# notify: outgoing webhooks. CRUD with validation and owner checks, the
# secret shown once, deliveries signed (checked here by the receiver with
# the secret), retries after 500s and timeouts with a delivery log that
# says what happened, private addresses refused at creation and at
# delivery (the SSRF guard), the test-event endpoint.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Digest::SHA qw(hmac_sha256_hex);
use File::Temp qw(tempdir);
use JSON::PP;
use Socket qw(inet_ntoa);
use Sys::Hostname qw(hostname);
use Test::More;
use Time::HiRes qw(sleep);
use CarBot::Test;
use CarBot::Auth;
use CarBot::Chat;
use CarBot::Mail;
use CarBot::Stub;

my $JSON = JSON::PP->new->utf8->canonical;
my $dir = tempdir(CLEANUP => 1);

# The receiver: every request is appended to a file per path (the stub
# serves each connection in a child process); /fail answers 500 twice,
# /slow sleeps 4 s once, /down always 503.
sub record {
	my ($req) = @_;
	(my $name = $req->{path}) =~ s{\W}{_}g;
	open my $fh, '>>', "$dir/$name" or die;
	print {$fh} $JSON->encode({headers => $req->{headers}, body => $req->{body}}), "\n";
	close $fh;
	return scalar(() = received($req->{path}));
}
sub received {
	my ($path) = @_;
	(my $name = $path) =~ s{\W}{_}g;
	local $/ = "\n"; # the stub reads its requests with "\r\n"
	open my $fh, '<', "$dir/$name" or return wantarray ? () : 0;
	my @r = map { $JSON->decode($_) } <$fh>;
	return @r;
}
my $stub = CarBot::Stub->new(routes => {
	'POST /ok' => sub { record($_[0]); [200, [], 'thanks'] },
	'POST /fail' => sub { record($_[0]) <= 2 ? [500, [], 'oops'] : [200, [], 'ok'] },
	'POST /slow' => sub { if (record($_[0]) == 1) { sleep 4 } [204, [], ''] },
	'POST /down' => sub { record($_[0]); [503, [], 'down'] },
});

my $m = CarBot::Mail->new;
my $t = CarBot::Mail::server($m, chat => 1, test_plugins => ['testkit'], auth => {rate_basic => 100000},
	notify => {webhook_allow_loopback => 'on', webhook_retry_base => 1, webhook_timeout_ms => 1500,
	           webhook_max_attempts => 3});

sub create {
	my ($o, %b) = @_;
	return $t->post('/api/v1/webhooks', headers => $o->{bearer}, json => \%b);
}
sub deliveries {
	my ($o, $id) = @_;
	return @{$t->get("/api/v1/webhooks/$id/deliveries", headers => $o->{bearer})->{json}{deliveries} || []};
}
# Waits (up to 90 s) until cond returns true.
sub eventually {
	my ($cond) = @_;
	for (1 .. 450) { return 1 if $cond->(); sleep 0.2 }
	return 0;
}
sub emit {
	my ($event, $data) = @_;
	my $r = $t->post("/t/emit/$event", json => $data);
	die "emit: $r->{status}" unless $r->{status} == 200;
}

my $o = CarBot::Chat::owner($t);
my $other = CarBot::Chat::owner($t);

subtest 'create: the secret is shown once; list, get, patch, delete' => sub {
	my $r = create($o, url => $stub->url('/ok'), events => ['lead.created', 'page.published']);
	is $r->{status}, 201, 'created';
	like $r->{json}{secret}, qr/^whsec_[0-9a-f]{48}$/, 'with its secret';
	is $r->{json}{active}, JSON::PP::true, 'active by default';
	is_deeply $r->{json}{events}, ['lead.created', 'page.published'], 'events';
	my $id = $r->{json}{id};
	my $g = $t->get("/api/v1/webhooks/$id", headers => $o->{bearer});
	is $g->{status}, 200, 'get';
	ok !exists $g->{json}{secret}, 'never shown again';
	my $l = $t->get('/api/v1/webhooks', headers => $o->{bearer});
	is_deeply [map { $_->{id} } @{$l->{json}{webhooks}}], [$id], 'listed';
	ok !exists $l->{json}{webhooks}[0]{secret}, 'not in the list either';
	my $p = $t->patch("/api/v1/webhooks/$id", headers => $o->{bearer},
	                  json => {active => JSON::PP::false, events => ['lead.updated']});
	is $p->{status}, 200, 'patched';
	is $p->{json}{active}, JSON::PP::false, 'inactive';
	is_deeply $p->{json}{events}, ['lead.updated'], 'new events';
	is $t->get("/api/v1/webhooks/$id", headers => $other->{bearer})->{status}, 404, "another owner's: 404";
	is $t->patch("/api/v1/webhooks/$id", headers => $other->{bearer}, json => {active => JSON::PP::true})
	    ->{status}, 404, 'no patching it';
	is $t->del("/api/v1/webhooks/$id", headers => $other->{bearer})->{status}, 404, 'no deleting it';
	is $t->post("/api/v1/webhooks/$id/test", headers => $other->{bearer})->{status}, 404, 'no testing it';
	is $t->get("/api/v1/webhooks/$id/deliveries", headers => $other->{bearer})->{status}, 404,
	    'no reading its log';
	is $t->del("/api/v1/webhooks/$id", headers => $o->{bearer})->{status}, 204, 'deleted';
	is $t->get("/api/v1/webhooks/$id", headers => $o->{bearer})->{status}, 404, 'gone';
	is $t->get('/api/v1/webhooks/not-a-uuid', headers => $o->{bearer})->{status}, 404, 'a malformed id: 404';
	is $t->get('/api/v1/webhooks')->{status}, 401, 'a token is needed';
	is $t->get('/api/v1/webhooks', headers => {Authorization => 'Bearer ' . $o->{user}{access} . 'x'})
	    ->{status}, 401, 'a tampered token is refused';
};

subtest 'validation' => sub {
	my $issue = sub {
		my ($r, $field) = @_;
		my ($d) = grep { $_->{field} eq $field } @{$r->{json}{error}{details} || []};
		return $r->{status} == 400 && $d ? $d->{issue} : "status $r->{status}";
	};
	is $issue->(create($o, events => ['lead.created']), 'url'), 'missing', 'url missing';
	is $issue->(create($o, url => $stub->url('/ok')), 'events'), 'missing', 'events missing';
	is $issue->(create($o, url => 42, events => ['lead.created']), 'url'), 'type', 'url not a string';
	is $issue->(create($o, url => 'ftp://example.org/x', events => ['lead.created']), 'url'), 'invalid',
	    'not http(s)';
	is $issue->(create($o, url => 'https://user:pw@example.org/x', events => ['lead.created']), 'url'),
	    'invalid', 'credentials in the URL';
	isnt $issue->(create($o, url => 'https://example.org/' . ('a' x 3000), events => ['lead.created']), 'url'),
	    'status 201', 'an oversized URL';
	is $issue->(create($o, url => $stub->url('/ok'), events => ['lead.deleted']), 'events'), 'invalid',
	    'an unknown event';
	is $issue->(create($o, url => $stub->url('/ok'), events => []), 'events'), 'invalid', 'no events';
	is $issue->(create($o, url => $stub->url('/ok'), events => 'lead.created'), 'events'), 'invalid',
	    'events not an array';
	is $issue->(create($o, url => $stub->url('/ok'), events => ['lead.created', 'lead.created']), 'events'),
	    'invalid', 'a repeated event';
	is $issue->(create($o, url => $stub->url('/ok'), events => ['lead.created'], active => 'yes'), 'active'),
	    'type', 'active not a boolean';
	is $t->get('/api/v1/webhooks', headers => $o->{bearer})->{json}{webhooks}->@*, 0, 'nothing stored';
};

subtest 'private addresses are refused' => sub {
	for my $url ('http://10.0.0.5/hook', 'http://192.168.1.20/hook', 'http://172.16.3.4/x',
	             'http://169.254.169.254/latest/meta-data', 'http://[fd00::1]/x', 'http://[::ffff:10.1.1.1]/',
	             'http://localhost/hook', 'http://0.0.0.0/') {
		my $r = create($o, url => $url, events => ['lead.created']);
		is $r->{status}, 400, "$url refused";
		is $r->{json}{error}{details}[0]{issue}, 'not_public', 'as not public';
	}
	my $ok = create($o, url => $stub->url('/ok'), events => ['lead.created']);
	is $t->patch("/api/v1/webhooks/$ok->{json}{id}", headers => $o->{bearer},
	             json => {url => 'http://10.9.8.7/'})->{status}, 400, 'also when patching';
	$t->del("/api/v1/webhooks/$ok->{json}{id}", headers => $o->{bearer});

	# a name that resolves to a private address passes the literal check and
	# is stopped by cb_fetch's guard when delivering
	my $host = hostname();
	my $addr = gethostbyname($host);
	SKIP: {
		skip "$host does not resolve to a non-public address here", 4
		    unless $addr && inet_ntoa($addr) =~ /^(127|10|192\.168|172\.(1[6-9]|2\d|3[01]))\./;
		my $w = create($o, url => "http://$host:" . $stub->port . '/ok', events => ['page.published']);
		is $w->{status}, 201, "http://$host/ is accepted (a name)";
		my $d = $t->post("/api/v1/webhooks/$w->{json}{id}/test", headers => $o->{bearer});
		my $did = $d->{json}{delivery_id};
		ok eventually(sub { my ($x) = grep { $_->{id} eq $did } deliveries($o, $w->{json}{id});
		                    $x && $x->{attempts} >= 1 }), 'an attempt was made';
		my ($x) = grep { $_->{id} eq $did } deliveries($o, $w->{json}{id});
		like $x->{last_error}, qr/not public/, 'refused by the SSRF guard';
		is $x->{response_code}, undef, 'no response';
		$t->del("/api/v1/webhooks/$w->{json}{id}", headers => $o->{bearer});
	}
};

subtest 'a lead is delivered, signed; the receiver checks the signature' => sub {
	my $w = create($o, url => $stub->url('/ok'), events => ['lead.created', 'page.published']);
	my $off = create($o, url => $stub->url('/ok') . '?off', events => ['lead.created'], active => JSON::PP::false);
	my $secret = $w->{json}{secret};
	my $sid = CarBot::Chat::session($t, $o);
	CarBot::Chat::chat($t, $o, $sid, $_) for 'Termin für einen Ölwechsel', 'Ich heiße Erika Muster', 'erika@example.org',
	    'Golf', 'Freitag';
	ok eventually(sub { received('/ok') >= 1 }), 'the receiver got a POST' or return;
	my ($got) = received('/ok');
	my $sig = $got->{headers}{'carbot-signature'} // '';
	my ($ts, $v1) = $sig =~ /^t=(\d+),v1=([0-9a-f]{64})$/;
	ok $ts, 'CarBot-Signature: t=...,v1=...';
	is $v1, hmac_sha256_hex("$ts.$got->{body}", $secret), 'v1 = HMAC-SHA-256(secret, "t.body")';
	isnt $v1, hmac_sha256_hex("$ts.$got->{body}x", $secret), 'a changed body would not match';
	cmp_ok abs(time - $ts), '<', 600, 't is the time of sending';
	my $b = $JSON->decode($got->{body});
	is $b->{type}, 'lead.created', 'the event type';
	is $b->{data}{name}, 'Erika Muster', 'the lead in data';
	is $got->{headers}{'carbot-delivery'}, $b->{id}, 'the delivery id in a header and the body';
	is $got->{headers}{'content-type'}, 'application/json', 'JSON';
	my @log = deliveries($o, $w->{json}{id});
	ok eventually(sub { @log = deliveries($o, $w->{json}{id}); @log && $log[0]{status} eq 'delivered' }),
	    'the log says delivered';
	is $log[0]{response_code}, 200, 'response code';
	is $log[0]{attempts}, 1, 'one attempt';
	is $log[0]{next_retry_at}, undef, 'no retry';
	ok defined $log[0]{duration_ms} && $log[0]{duration_ms} >= 0, 'a duration';
	is $log[0]{event}, 'lead.created', 'event';
	is scalar(deliveries($o, $off->{json}{id})), 0, 'nothing for the inactive endpoint';

	emit('page.published', {user_id => $o->{user}{id}, page_id => 'p1', subdomain => 'werkstatt'});
	emit('subscription.changed', {user_id => $o->{user}{id}, tier => 'premium'});
	emit('page.published', {user_id => $other->{user}{id}, page_id => 'p2'});
	ok eventually(sub { received('/ok') >= 2 }), 'page.published delivered';
	sleep 1;
	my @all = map { $JSON->decode($_->{body})->{type} } received('/ok');
	is_deeply \@all, ['lead.created', 'page.published'],
	    'not subscription.changed (not subscribed), not another owner\'s event';
};

subtest 'retries after 500s, with an accurate log' => sub {
	my $w = create($o, url => $stub->url('/fail'), events => ['subscription.changed']);
	emit('subscription.changed', {user_id => $o->{user}{id}, tier => 'enterprise'});
	ok eventually(sub { received('/fail') >= 1 }), 'first attempt';
	my $d;
	ok eventually(sub { ($d) = deliveries($o, $w->{json}{id}); $d && $d->{attempts} >= 1 }), 'logged';
	if ($d->{attempts} == 1) {
		is $d->{status}, 'retrying', 'retrying after the first 500';
		is $d->{response_code}, 500, 'response code 500';
		like $d->{next_retry_at}, qr/^\d{4}-\d\d-\d\dT/, 'with the next retry time';
		is $d->{last_error}, 'HTTP 500', 'and why';
	}
	ok eventually(sub { ($d) = deliveries($o, $w->{json}{id}); $d->{status} eq 'delivered' }),
	    'delivered in the end';
	is $d->{attempts}, 3, 'on the third attempt';
	is $d->{response_code}, 200, 'its response code';
	is $d->{last_error}, undef, 'no error left';
	is scalar(received('/fail')), 3, 'the receiver saw three POSTs';
	my @ids = map { $_->{headers}{'carbot-delivery'} } received('/fail');
	is scalar(keys %{{map { $_ => 1 } @ids}}), 1, 'all of the same delivery';
};

subtest 'a timeout is retried' => sub {
	my $w = create($o, url => $stub->url('/slow'), events => ['lead.updated']);
	emit('lead.updated', {user_id => $o->{user}{id}, lead_id => 'x', status => 'contacted'});
	my $d;
	ok eventually(sub { ($d) = deliveries($o, $w->{json}{id}); $d && $d->{status} eq 'delivered' }),
	    'delivered after the timeout';
	is $d->{attempts}, 2, 'on the second attempt';
	is $d->{response_code}, 204, 'a 2xx counts';
};

subtest 'giving up after webhook_max_attempts; the test event' => sub {
	my $w = create($o, url => $stub->url('/down'), events => ['page.published']);
	my $r = $t->post("/api/v1/webhooks/$w->{json}{id}/test", headers => $o->{bearer});
	is $r->{status}, 202, 'test event queued';
	my $d;
	ok eventually(sub { ($d) = deliveries($o, $w->{json}{id}); $d && $d->{status} eq 'failed' }), 'failed';
	is $d->{id}, $r->{json}{delivery_id}, 'the test delivery';
	is $d->{event}, 'webhook.test', 'of type webhook.test';
	is $d->{attempts}, 3, 'three attempts (webhook_max_attempts)';
	is $d->{response_code}, 503, 'the last response code';
	is $d->{next_retry_at}, undef, 'no further retry';
	is scalar(received('/down')), 3, 'three POSTs seen';
	is $JSON->decode((received('/down'))[0]{body})->{type}, 'webhook.test', 'the receiver saw the test event';
};

subtest 'at most 20 endpoints per owner' => sub {
	my $u = CarBot::Chat::owner($t);
	my @s = map { create($u, url => $stub->url("/ok?$_"), events => ['lead.created'])->{status} } 1 .. 21;
	is_deeply \@s, [(201) x 20, 409], 'the 21st is refused';
};

done_testing;
