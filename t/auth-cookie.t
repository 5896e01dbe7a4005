# The dashboard's cookie mode (plugins/auth/cookie.c): with
# X-CarBot-Session: cookie the refresh token travels only in an HttpOnly,
# SameSite=Strict cookie scoped to /refresh and /logout, and those two
# routes check the Origin against CSRF. Without the header the JSON API is
# unchanged.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Auth;
use IO::Socket::INET;

my $t = CarBot::Auth::server();
my $host = '127.0.0.1:' . $t->port;
my $origin = "http://$host";
my %mode = ('X-CarBot-Session' => 'cookie');

sub cookies {
	my ($r) = @_;
	my $c = $r->{headers}{'set-cookie'} // [];
	return ref $c ? @$c : ($c);
}
sub cookie_value {
	my ($r) = @_;
	for (cookies($r)) { return $1 if /^carbot_refresh=([^;]*)/ }
	return undef;
}
sub login_cookie {
	my ($u, %h) = @_;
	return $t->post('/api/v1/auth/login', headers => {%mode, %h},
	                json => {email => $u->{email}, password => $u->{password}});
}
sub refresh_cookie {
	my ($value, %h) = @_;
	return $t->post('/api/v1/auth/refresh', json => {},
	                headers => {%mode, Origin => $origin, Cookie => "carbot_refresh=$value", %h});
}

my $u = CarBot::Auth::register($t);
is $u->{status}, 201, 'an owner registered';

subtest 'login in cookie mode sets the cookie and keeps the token out of the body' => sub {
	my $r = login_cookie($u);
	is $r->{status}, 200, 'status 200';
	ok $r->{json}{tokens}{access_token}, 'the access token is in the body';
	ok !exists $r->{json}{tokens}{refresh_token}, 'the refresh token is not';
	my @c = cookies($r);
	is scalar @c, 2, 'two cookies';
	like $c[0], qr{^carbot_refresh=[A-Za-z0-9_-]{43}; Path=/api/v1/auth/refresh;}, 'one for /refresh';
	like $c[1], qr{^carbot_refresh=[A-Za-z0-9_-]{43}; Path=/api/v1/auth/logout;}, 'one for /logout';
	for (@c) {
		like $_, qr/; HttpOnly/, 'HttpOnly';
		like $_, qr/; SameSite=Strict/, 'SameSite=Strict';
		unlike $_, qr/; Secure/, 'not Secure on plain loopback';
		like $_, qr/; Max-Age=86400/, 'lives as long as the refresh token';
	}
	is $r->{headers}{'cache-control'}, 'no-store', 'not cached';
};

subtest 'the cookie is Secure on any other host' => sub {
	# HTTP::Tiny will not send a Host of our choosing: a raw request.
	my $body = JSON::PP->new->encode({email => $u->{email}, password => $u->{password}});
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->port, Timeout => 30)
	  or die "connect: $!";
	print $s "POST /api/v1/auth/login HTTP/1.1\r\nHost: app.example.de\r\nConnection: close\r\n"
	       . "X-CarBot-Session: cookie\r\nContent-Type: application/json\r\n"
	       . 'Content-Length: ' . length($body) . "\r\n\r\n$body";
	my $raw = do { local $/; <$s> };
	like $raw, qr{^HTTP/1\.1 200}, 'status 200';
	my @c = $raw =~ /^Set-Cookie: ([^\r\n]*)/mgi;
	is scalar @c, 2, 'two cookies';
	like $_, qr/; Secure/, 'Secure' for @c;
};

subtest 'remember makes the cookie live 30 days' => sub {
	my $r = $t->post('/api/v1/auth/login', headers => \%mode,
	                 json => {email => $u->{email}, password => $u->{password}, remember => JSON::PP::true()});
	like $_, qr/; Max-Age=2592000/, 'Max-Age 30 days' for cookies($r);
};

subtest 'register in cookie mode sets the cookie too' => sub {
	my $r = $t->post('/api/v1/auth/register', headers => \%mode,
	                 json => {email => CarBot::Auth::email(), password => $CarBot::Auth::PASSWORD});
	is $r->{status}, 201, 'status 201';
	ok !exists $r->{json}{tokens}{refresh_token}, 'no refresh token in the body';
	ok cookie_value($r), 'a cookie';
};

subtest 'refresh from the cookie rotates it; the old one is dead' => sub {
	my $c0 = cookie_value(login_cookie($u));
	my $r = refresh_cookie($c0);
	is $r->{status}, 200, 'status 200' or diag $r->{content};
	ok $r->{json}{tokens}{access_token}, 'a new access token';
	ok !exists $r->{json}{tokens}{refresh_token}, 'no refresh token in the body';
	my $c1 = cookie_value($r);
	ok $c1 && $c1 ne $c0, 'a new cookie value';
	is $t->get('/api/v1/auth/me', headers => bearer($r->{json}{tokens}{access_token}))->{status},
	   200, 'the new access token works';
	# refresh_reuse_grace: once more at once (a reload lost the answer) is
	# allowed while c1 is unused; a third time is reuse
	my $again = refresh_cookie($c0);
	is $again->{status}, 200, 'the rotated cookie once more at once: the reload case, allowed';
	my $c2 = cookie_value($again);
	ok $c2 && $c2 ne $c1 && $c2 ne $c0, '... with a cookie of its own';
	is refresh_cookie($c0)->{status}, 401, 'a third time the rotated cookie is refused';
	is refresh_cookie($c1)->{status}, 401, '... and its reuse revoked the family';
	is refresh_cookie($c2)->{status}, 401, '... every token of it';
};

subtest 'refresh in cookie mode refuses what CSRF would send' => sub {
	my $c = cookie_value(login_cookie($u));
	my $r = refresh_cookie($c, Origin => 'https://evil.example');
	is $r->{status}, 403, 'another Origin: 403';
	is $r->{json}{error}{code}, 'csrf_failed', '... csrf_failed';
	$r = $t->post('/api/v1/auth/refresh', json => {},
	              headers => {%mode, Cookie => "carbot_refresh=$c"});
	is $r->{status}, 403, 'no Origin: 403';
	$r = refresh_cookie($c, Origin => "http://$host.evil.example");
	is $r->{status}, 403, 'an Origin that only starts like ours: 403';
	$r = refresh_cookie($c, 'Sec-Fetch-Site' => 'cross-site');
	is $r->{status}, 403, 'Sec-Fetch-Site cross-site: 403';
	$r = $t->post('/api/v1/auth/refresh', json => {}, headers => {Origin => $origin, Cookie => "carbot_refresh=$c"});
	is $r->{status}, 400, 'the cookie alone (no mode header) is not read: 400';
	is refresh_cookie($c)->{status}, 200, 'the cookie itself was still good';
};

subtest 'refresh in cookie mode: missing, tampered, oversized, body token' => sub {
	my $r = $t->post('/api/v1/auth/refresh', json => {}, headers => {%mode, Origin => $origin});
	is $r->{status}, 401, 'no cookie: 401';
	is refresh_cookie('A' x 43)->{status}, 401, 'a made-up cookie: 401';
	my $c = cookie_value(login_cookie($u));
	(my $tampered = $c) =~ s/^(.)/$1 eq 'A' ? 'B' : 'A'/e;
	is refresh_cookie($tampered)->{status}, 401, 'a tampered cookie: 401';
	is refresh_cookie('x' x 600)->{status}, 401, 'an oversized cookie: 401';
	$r = $t->post('/api/v1/auth/refresh', json => {refresh_token => $c},
	              headers => {%mode, Origin => $origin, Cookie => "carbot_refresh=$c"});
	is $r->{status}, 400, 'a refresh token in the body as well: 400';
	$r = $t->post('/api/v1/auth/refresh', body => '[1', headers => {%mode, Origin => $origin,
	              'Content-Type' => 'application/json', Cookie => "carbot_refresh=$c"});
	is $r->{status}, 400, 'malformed JSON: 400';
};

subtest 'logout in cookie mode revokes the session and clears the cookies' => sub {
	my $l = login_cookie($u);
	my $c = cookie_value($l);
	my $access = $l->{json}{tokens}{access_token};
	my $r = $t->post('/api/v1/auth/logout', json => {},
	                 headers => {%mode, %{bearer($access)}, Origin => 'https://evil.example',
	                             Cookie => "carbot_refresh=$c"});
	is $r->{status}, 403, 'from another origin: 403';
	$r = $t->post('/api/v1/auth/logout', json => {},
	              headers => {%mode, %{bearer($access)}, Origin => $origin, Cookie => "carbot_refresh=$c"});
	is $r->{status}, 200, 'status 200' or diag $r->{content};
	is $r->{json}{revoked}, 1, 'one session revoked';
	my @c = cookies($r);
	is scalar @c, 2, 'two cookies cleared';
	like $_, qr/^carbot_refresh=; Path=\S+; Max-Age=0;/, 'emptied with Max-Age=0' for @c;
	is refresh_cookie($c)->{status}, 401, 'the cookie no longer refreshes';
};

subtest 'without the header the JSON API is unchanged' => sub {
	my $l = CarBot::Auth::login($t, $u->{email}, $u->{password});
	is $l->{status}, 200, 'login 200';
	ok $l->{refresh}, 'the refresh token is in the body';
	is scalar(cookies($l)), 0, 'no cookie';
	my $r = $t->post('/api/v1/auth/refresh', json => {refresh_token => $l->{refresh}});
	is $r->{status}, 200, 'refresh with the body token';
	ok $r->{json}{tokens}{refresh_token}, '... answers one in the body';
	is scalar(cookies($r)), 0, '... and no cookie';
};

done_testing;
