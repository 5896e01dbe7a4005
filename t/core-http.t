# The HTTP contract every route gets from the core: routing, the one error
# shape, limits, request ids, security headers, input checks.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use CarBot::Test;
use IO::Socket::INET;

my $t = CarBot::Test->new(test_plugins => ['testkit']);

sub error_shape {
	my ($r, $status, $code, $name) = @_;
	is $r->{status}, $status, "$name: status $status";
	is ref $r->{json}{error}, 'HASH', "$name: body is the error shape";
	is $r->{json}{error}{code}, $code, "$name: code $code";
	ok length($r->{json}{error}{message} // ''), "$name: has a message";
	is ref $r->{json}{error}{details}, 'ARRAY', "$name: details is an array";
}

subtest 'healthz answers ok' => sub {
	my $r = $t->get('/healthz');
	is $r->{status}, 200;
	is $r->{json}{status}, 'ok';
	like $r->{headers}{'content-type'}, qr{^application/json}, 'JSON content type';
};

subtest 'readyz reports every check ready' => sub {
	my $r = $t->get('/readyz');
	is $r->{status}, 200;
	is_deeply $r->{json}{checks}, {database => 'ok', redis => 'ok', migrations => 'ok'};
};

subtest 'unknown route is a JSON 404' => sub {
	error_shape($t->get('/no/such/thing'), 404, 'not_found', 'unknown path');
	error_shape($t->get('/t//echo/x'), 404, 'not_found', 'empty segment');
};

subtest 'wrong method is a JSON 405 with Allow' => sub {
	my $r = $t->del('/t/echo/1');
	error_shape($r, 405, 'method_not_allowed', 'DELETE on GET/POST route');
	is $r->{headers}{allow}, 'GET, HEAD, POST', 'Allow lists the methods';
	$r = $t->post('/healthz');
	is $r->{headers}{allow}, 'GET, HEAD', 'GET routes allow HEAD';
};

subtest 'HEAD reaches GET routes without a body' => sub {
	my $r = $t->req('HEAD', '/t/echo/abc');
	is $r->{status}, 200;
	is $r->{content} // '', '', 'no body';
	ok $r->{headers}{'content-length'} > 0, 'Content-Length of the GET body';
};

subtest 'HEAD sends no body on the wire, so keep-alive framing holds' => sub {
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port) or die;
	print {$s} "HEAD /t/echo/abc HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	local $/;
	my $wire = <$s>;
	my @status = $wire =~ m{^HTTP/1\.1 (\d+)}mg;
	is_deeply \@status, [200, 200], 'two responses';
	my ($head) = split /\r\n\r\n/, $wire, 2;
	my ($after) = $wire =~ m{\A.*?\r\n\r\n(.*?)HTTP/1\.1}s;
	is $after, '', 'nothing between the HEAD headers and the next response';
	like $head, qr/^Content-Length: [1-9]\d*\r?$/mi, 'HEAD announces the GET length';
	like $wire, qr/\{"status":"ok"\}\z/, 'the second response is intact';
};

subtest 'path params and query are decoded' => sub {
	my $r = $t->get('/t/echo/a%20b%2Fc?q=x+y%26z&other=1', headers => {'X-Test' => 'hi'});
	is $r->{json}{id}, 'a b/c', 'param decoded';
	is $r->{json}{q}, 'x y&z', 'query decoded, + is space';
	is $r->{json}{header}, 'hi', 'header readable';
	is $r->{json}{route}, 'GET /t/echo/{id}', 'route label';
	is $r->{json}{client_ip}, '127.0.0.1', 'client ip';
	error_shape($t->get('/t/echo/bad%zz'), 404, 'not_found', 'malformed escape');
	error_shape($t->get('/t/echo/nul%00'), 404, 'not_found', 'NUL in a param');
};

subtest 'request id is echoed, or generated when absent or malformed' => sub {
	my $r = $t->get('/t/echo/x', headers => {'X-Request-Id' => 'abc-123.x_y'});
	is $r->{headers}{'x-request-id'}, 'abc-123.x_y', 'echoed';
	is $r->{json}{request_id}, 'abc-123.x_y', 'visible to the handler';
	$r = $t->get('/t/echo/x');
	like $r->{headers}{'x-request-id'}, qr/^[0-9a-f]{32}$/, 'generated';
	$r = $t->get('/t/echo/x', headers => {'X-Request-Id' => 'bad id with spaces'});
	like $r->{headers}{'x-request-id'}, qr/^[0-9a-f]{32}$/, 'malformed replaced';
	$r = $t->get('/t/echo/x', headers => {'X-Request-Id' => 'a' x 65});
	like $r->{headers}{'x-request-id'}, qr/^[0-9a-f]{32}$/, 'overlong replaced';
};

subtest 'security headers on success and error responses' => sub {
	for my $path ('/healthz', '/nope', '/t/echo/1') {
		my $h = $t->get($path)->{headers};
		is $h->{'x-content-type-options'}, 'nosniff', "$path nosniff";
		is $h->{'x-frame-options'}, 'DENY', "$path frame options";
		like $h->{'content-security-policy'}, qr/frame-ancestors 'none'/, "$path CSP";
		is $h->{'referrer-policy'}, 'strict-origin-when-cross-origin', "$path referrer";
	}
};

subtest 'JSON bodies: malformed, wrong type, wrong content type, too deep' => sub {
	error_shape($t->post('/t/json', body => '{"name":', headers => {'Content-Type' => 'application/json'}),
		400, 'malformed_json', 'truncated JSON');
	error_shape($t->post('/t/json', body => '{"name":"x"} trailing', headers => {'Content-Type' => 'application/json'}),
		400, 'malformed_json', 'trailing garbage');
	error_shape($t->post('/t/json', body => '["name"]', headers => {'Content-Type' => 'application/json'}),
		400, 'malformed_json', 'array instead of object');
	error_shape($t->post('/t/json', body => '{"name":"x"}', headers => {'Content-Type' => 'text/plain'}),
		415, 'unsupported_media_type', 'text/plain');
	error_shape($t->post('/t/json', body => ('[' x 5000), headers => {'Content-Type' => 'application/json'}),
		400, 'malformed_json', '5000 nested arrays');
	error_shape($t->post('/t/json', body => "{\"name\":\"\xff\"}", headers => {'Content-Type' => 'application/json'}),
		400, 'malformed_json', 'invalid UTF-8');
};

subtest 'field checks report every problem with details' => sub {
	my $r = $t->post('/t/json', json => {name => 'x' x 11, age => 'old', flag => 3});
	error_shape($r, 400, 'validation_failed', 'three bad fields');
	my %by = map { $_->{field} => $_->{issue} } @{$r->{json}{error}{details}};
	is_deeply \%by, {name => 'too_long', age => 'type', flag => 'type'}, 'one detail per field';
	$r = $t->post('/t/json', json => {age => 200});
	%by = map { $_->{field} => $_->{issue} } @{$r->{json}{error}{details}};
	is_deeply \%by, {name => 'missing', age => 'range'}, 'missing and out of range';
	$r = $t->post('/t/json', json => {name => 'Ada', age => 36, flag => JSON::PP::true});
	is $r->{status}, 201, 'valid body accepted';
	is_deeply [@{$r->{json}}{qw(name age)}], ['Ada', 36], 'values read';
};

subtest 'body over the route limit is a JSON 413' => sub {
	my $big = '{"name":"' . ('x' x (1024 * 1024)) . '"}';
	error_shape($t->post('/t/json', body => $big, headers => {'Content-Type' => 'application/json'}),
		413, 'payload_too_large', 'JSON over 1 MiB');
	my $r = $t->post('/t/upload', body => 'x' x (1536 * 1024));
	is $r->{status}, 200, 'a route with its own larger limit accepts 1.5 MiB';
	is $r->{json}{bytes}, 1536 * 1024, 'and sees every byte';
	error_shape($t->post('/t/upload', body => 'x' x (3 * 1024 * 1024)), 413, 'payload_too_large',
		'3 MiB over the upload limit');
};

subtest 'a fast route answers on the I/O thread or defers to the pool' => sub {
	my $r = $t->get('/t/fast/2');
	is_deeply [$r->{status}, $r->{content}], [200, 'fast'], 'a hit is answered by the fast handler';
	is $r->{headers}{'x-content-type-options'}, 'nosniff', 'with the usual headers';
	$r = $t->get('/t/fast/3');
	is_deeply [$r->{status}, $r->{content}], [200, 'pool'], 'CB_DEFER goes to the pool handler';
	is $t->req('HEAD', '/t/fast/2')->{status}, 200, 'HEAD too';
};

subtest 'internal routes answer only loopback' => sub {
	is $t->get('/t/internal')->{status}, 200, 'loopback may call';
};

subtest 'plugin settings and core settings reach the plugin' => sub {
	my $r = $t->get('/t/setting');
	is $r->{json}{greeting}, 'hallo', 'default applies';
	is $r->{json}{core_log_level}, 'debug', 'core setting visible';
	ok $r->{json}{has_fetch}, 'CB_HAS finds a 1.0 function';
};

subtest 'metrics count requests by route and status' => sub {
	$t->get('/t/echo/m') for 1 .. 3;
	my $m = $t->get('/metrics');
	is $m->{status}, 200;
	like $m->{headers}{'content-type'}, qr{^text/plain; version=0\.0\.4}, 'Prometheus text';
	like $m->{content}, qr/^carbot_http_requests_total\{route="GET \/t\/echo\/\{id\}",status="200"\} (\d+)$/m,
		'per-route counter';
	my ($n) = $m->{content} =~ /^carbot_http_requests_total\{route="GET \/t\/echo\/\{id\}",status="200"\} (\d+)$/m;
	cmp_ok $n, '>=', 3, 'counts at least the three just made';
	like $m->{content}, qr/^carbot_http_request_duration_seconds_bucket\{route="GET \/t\/echo\/\{id\}",le="\+Inf"\} \d+$/m,
		'latency histogram';
	like $m->{content}, qr/^carbot_db_pool_connections\{state="open"\} \d+$/m, 'DB pool gauge';
	like $m->{content}, qr/^carbot_jobs\{status="pending"\} \d+$/m, 'job queue gauge';
	like $m->{content}, qr/^carbot_http_requests_total\{route="\(unmatched\)",status="404"\} \d+$/m,
		'unmatched requests counted';
};

subtest 'access log lines are JSON with route, status and duration, not the raw path' => sub {
	$t->get('/t/echo/secret-token-in-path?token=hunter2', headers => {'X-Request-Id' => 'logcheck-1'});
	my @lines = grep { ($_->{request_id} // "") eq "logcheck-1" } @{$t->log_lines};
	is scalar @lines, 1, 'one access line for the request';
	is $lines[0]{route}, 'GET /t/echo/{id}', 'route pattern';
	is $lines[0]{status}, 200, 'status';
	ok defined $lines[0]{duration_ms}, 'duration';
	ok defined $lines[0]{time} && defined $lines[0]{level}, 'time and level';
	unlike $t->log, qr/hunter2|secret-token-in-path/, 'path and query never logged';
};

done_testing;
