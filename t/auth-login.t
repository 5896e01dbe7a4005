# POST /api/v1/auth/login: success, refusals and the brute-force lockout.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use CarBot::Auth;

# trusted_proxies lets a test pose as other clients through X-Forwarded-For.
my $t = CarBot::Auth::server(conf => {trusted_proxies => '127.0.0.1'});
my $path = '/api/v1/auth/login';

sub from_ip { return (headers => {'X-Forwarded-For' => $_[0]}) }

subtest 'login answers 200 with the user and a new token pair' => sub {
	my $u = CarBot::Auth::register($t, email => 'Login.Case@Example.com');
	my $r = CarBot::Auth::login($t, 'LOGIN.case@example.COM', $PASSWORD);
	is $r->{status}, 200, 'status 200, email matched case-insensitively';
	is $r->{json}{user}{id}, $u->{id}, 'the same user';
	ok $r->{json}{user}{last_login_at}, 'last_login_at set';
	is_deeply [sort keys %{$r->{json}{tokens}}], [qw(access_token expires_in refresh_token)], 'tokens';
	isnt $r->{refresh}, $u->{refresh}, 'a new refresh token';
	unlike $r->{content}, qr/password|\$2b\$/i, 'no password or hash in the answer';
	my ($n) = @{$t->sql("SELECT count(DISTINCT family_id) FROM refresh_tokens WHERE user_id = :'p1'",
	                    $u->{id})->[0]};
	is $n, 2, 'a second session (family) next to the registration\'s';
	is $t->get('/api/v1/auth/me', headers => bearer($r->{access}))->{status}, 200, 'the access token works';
};

subtest 'remember gives a 30-day refresh token, otherwise 24 hours' => sub {
	my $u = CarBot::Auth::register($t);
	my $short = CarBot::Auth::login($t, $u->{email}, $PASSWORD);
	my $long = CarBot::Auth::login($t, $u->{email}, $PASSWORD, remember => JSON::PP::true);
	my $rows = $t->sql("SELECT remember, round(extract(epoch FROM expires_at - created_at)) FROM refresh_tokens "
	                   . "WHERE user_id = :'p1' ORDER BY created_at", $u->{id});
	is_deeply $rows->[1], ['f', 86400], 'without remember: 24 h';
	is_deeply $rows->[2], ['t', 2592000], 'with remember: 30 days';
	my $r = $t->post($path, json => {email => $u->{email}, password => $PASSWORD, remember => 'yes'});
	is $r->{status}, 400, 'remember must be a boolean';
};

subtest 'missing and wrongly typed fields give 400' => sub {
	my $r = $t->post($path, json => {});
	is $r->{status}, 400, 'empty object: 400';
	is_deeply [sort map { $_->{field} } @{$r->{json}{error}{details}}], [qw(email password)], 'both named';
	$r = $t->post($path, json => {email => ['a'], password => 12345678});
	is $r->{status}, 400, 'wrong types: 400';
	is_deeply [sort map { "$_->{field}:$_->{issue}" } @{$r->{json}{error}{details}}],
	  ['email:type', 'password:type'], 'both reported as type';
	$r = $t->post($path, body => 'email=a&password=b', headers => {'Content-Type' => 'application/x-www-form-urlencoded'});
	ok $r->{status} == 400 || $r->{status} == 415, 'a form body is refused';
};

subtest 'a wrong password and an unknown email give the same 401' => sub {
	my $u = CarBot::Auth::register($t);
	my $wrong = CarBot::Auth::login($t, $u->{email}, 'Not-The-Password-1');
	my $unknown = CarBot::Auth::login($t, 'nobody.' . CarBot::Auth::email(), 'Not-The-Password-1');
	is $wrong->{status}, 401, 'wrong password: 401';
	is $unknown->{status}, 401, 'unknown email: 401';
	is $wrong->{json}{error}{code}, 'invalid_credentials', 'code invalid_credentials';
	is_deeply $wrong->{json}, $unknown->{json}, 'the same body';
};

subtest 'a switched-off account (deleted_at: its erasure waits) cannot log in' => sub {
	my $u = CarBot::Auth::register($t);
	$t->sql("UPDATE users SET deleted_at = now() WHERE id = :'p1'", $u->{id});
	my $r = CarBot::Auth::login($t, $u->{email}, $PASSWORD);
	is $r->{status}, 403, 'login refused with 403';
	is $r->{json}{error}{code}, 'account_pending_erasure', 'the right password learns why';
	ok !$r->{json}{tokens}, 'no tokens';
	my $w = CarBot::Auth::login($t, $u->{email}, 'Not-The-Password-1');
	is $w->{status}, 401, 'a wrong password: 401';
	is $w->{json}{error}{code}, 'invalid_credentials', 'like an unknown email';
	is $t->get('/api/v1/auth/me', headers => bearer($u->{access}))->{status}, 401,
	  'and its access token stops working at once';
};

subtest '5 failures per email and IP lock logins out for an hour' => sub {
	my $u = CarBot::Auth::register($t);
	for my $i (1 .. 5) {
		my $r = $t->post($path, json => {email => $u->{email}, password => "Wrong-Guess-$i"}, from_ip('10.0.0.5'));
		is $r->{status}, 401, "failure $i: 401";
	}
	my $r = $t->post($path, json => {email => $u->{email}, password => $PASSWORD}, from_ip('10.0.0.5'));
	is $r->{status}, 429, 'then even the right password: 429';
	is $r->{json}{error}{code}, 'too_many_attempts', 'code too_many_attempts';
	my $ra = $r->{headers}{'retry-after'};
	ok $ra && $ra > 3500 && $ra <= 3600, "Retry-After is about an hour ($ra)";
	is $t->post($path, json => {email => $u->{email}, password => $PASSWORD}, from_ip('10.0.0.5'))->{status},
	  429, 'still locked';
	is $t->post($path, json => {email => $u->{email}, password => $PASSWORD}, from_ip('10.0.0.6'))->{status},
	  200, 'the same email from another IP is not locked';
	my $other = CarBot::Auth::register($t);
	is $t->post($path, json => {email => $other->{email}, password => $PASSWORD}, from_ip('10.0.0.5'))->{status},
	  200, 'another email from the locked IP is not locked';
	is $t->post($path, json => {email => uc $u->{email}, password => $PASSWORD}, from_ip('10.0.0.5'))->{status},
	  429, 'the email in another case is the same key';
	unlike $t->log, qr/\Q$u->{email}\E/, 'the locked email is not in the log';
};

subtest 'successful logins do not count towards the lockout' => sub {
	my $u = CarBot::Auth::register($t);
	for my $i (1 .. 4) {
		$t->post($path, json => {email => $u->{email}, password => "Wrong-$i-xyz"}, from_ip('10.0.1.1'));
		is $t->post($path, json => {email => $u->{email}, password => $PASSWORD}, from_ip('10.0.1.1'))->{status},
		  200, "success after failure $i";
	}
};

subtest 'unknown emails are locked out too' => sub {
	my $email = 'ghost.' . CarBot::Auth::email();
	$t->post($path, json => {email => $email, password => "Guess-$_-guess"}, from_ip('10.0.2.2')) for 1 .. 5;
	my $r = $t->post($path, json => {email => $email, password => 'Guess-6-guess'}, from_ip('10.0.2.2'));
	is $r->{status}, 429, '429 after 5 failures, as for a real account';
};

subtest 'the lockout numbers are settings' => sub {
	my $t2 = CarBot::Auth::server(auth => {login_max_failures => 2, login_block => 2, login_window => 60});
	my $u = CarBot::Auth::register($t2);
	is CarBot::Auth::login($t2, $u->{email}, 'Wrong-Pass-1')->{status}, 401, 'failure 1';
	is CarBot::Auth::login($t2, $u->{email}, 'Wrong-Pass-2')->{status}, 401, 'failure 2';
	my $r = CarBot::Auth::login($t2, $u->{email}, $PASSWORD);
	is $r->{status}, 429, 'locked after 2';
	cmp_ok $r->{headers}{'retry-after'}, '<=', 2, 'Retry-After within the 2 s block';
	sleep 2.2;
	is CarBot::Auth::login($t2, $u->{email}, $PASSWORD)->{status}, 200, 'free again after the block';
};

done_testing;
