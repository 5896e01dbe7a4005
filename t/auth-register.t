# POST /api/v1/auth/register: the account, its answer, and every refusal.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Auth;

my $t = CarBot::Auth::server(conf => {max_body => '4k'});
my $path = '/api/v1/auth/register';

sub fields_of {
	my ($r) = @_;
	return {map { $_->{field} => $_->{issue} } @{$r->{json}{error}{details} || []}};
}

subtest 'register answers 201 with the user and a token pair' => sub {
	my $u = CarBot::Auth::register($t, email => 'Ann.Example@Example.COM', firstName => 'Ann',
	                               lastName => 'Example', companyName => 'Autohaus Ann GmbH');
	is $u->{status}, 201, 'status 201';
	my $user = $u->{json}{user};
	like $user->{id}, qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'id is a UUID';
	is $user->{email}, 'ann.example@example.com', 'email stored lower-cased';
	is $user->{first_name}, 'Ann', 'first name';
	is $user->{last_name}, 'Example', 'last name';
	is $user->{company_name}, 'Autohaus Ann GmbH', 'company';
	is $user->{tier}, 'basic', 'new users are basic';
	is $user->{role}, 'user', 'role user';
	like $user->{created_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'created_at in ISO 8601';
	my $tokens = $u->{json}{tokens};
	is_deeply [sort keys %$tokens], [qw(access_token expires_in refresh_token)], 'tokens shape';
	is $tokens->{expires_in}, 900, 'expires_in is the access TTL';
	like $tokens->{refresh_token}, qr/^[A-Za-z0-9_-]{43}$/, 'refresh token: 256 bits, base64url';

	my $body = $u->{content};
	unlike $body, qr/password|\$2b\$/i, 'no password or hash in the answer';
	my @keys = sort keys %$user;
	is_deeply \@keys, [sort qw(id email first_name last_name company_name phone tier
	                          subscription_status role created_at last_login_at)], 'user fields';

	my ($hash) = @{$t->sql("SELECT password_hash FROM users WHERE id = :'p1'", $user->{id})->[0]};
	like $hash, qr/^\$2b\$04\$.{53}$/, 'stored as bcrypt at the configured cost (4 here)';
	my ($n) = @{$t->sql("SELECT count(*) FROM refresh_tokens WHERE user_id = :'p1'", $user->{id})->[0]};
	is $n, 1, 'one refresh token stored';
	my ($stored) = @{$t->sql("SELECT encode(token_hash, 'hex') FROM refresh_tokens WHERE user_id = :'p1'",
	                         $user->{id})->[0]};
	isnt $stored, $tokens->{refresh_token}, 'the refresh token is not stored in clear';
	is length $stored, 64, '... but as a SHA-256';
	my $me = $t->get('/api/v1/auth/me', headers => bearer($tokens->{access_token}));
	is $me->{status}, 200, 'the access token works at once';
	is $me->{json}{user}{id}, $user->{id}, '... for this user';
};

subtest 'snake_case profile fields are accepted too' => sub {
	my $u = CarBot::Auth::register($t, first_name => 'Bob', company_name => 'Bob KFZ', phone => '+49 30 123456');
	is $u->{status}, 201, 'status 201';
	is $u->{json}{user}{first_name}, 'Bob', 'first_name';
	is $u->{json}{user}{company_name}, 'Bob KFZ', 'company_name';
	is $u->{json}{user}{phone}, '+49 30 123456', 'phone';
};

subtest 'missing and wrongly typed fields give 400 with every problem' => sub {
	my $r = $t->post($path, json => {});
	is $r->{status}, 400, 'empty object: 400';
	is $r->{json}{error}{code}, 'validation_failed', 'code validation_failed';
	is_deeply fields_of($r), {email => 'missing', password => 'missing'}, 'both fields named';

	$r = $t->post($path, json => {email => 42, password => ['x']});
	is $r->{status}, 400, 'wrong types: 400';
	is_deeply fields_of($r), {email => 'type', password => 'type'}, 'both reported as type';

	$r = $t->post($path, json => {email => CarBot::Auth::email(), password => $PASSWORD, firstName => 7});
	is $r->{status}, 400, 'a number as firstName: 400';
	is fields_of($r)->{firstName}, 'type', 'firstName named';

	$r = $t->post($path, json => {email => CarBot::Auth::email(), password => $PASSWORD,
	                              lastName => 'x' x 101});
	is $r->{status}, 400, 'a 101-byte lastName: 400';
	is fields_of($r)->{lastName}, 'too_long', 'lastName too long';

	$r = $t->post($path, json => {email => CarBot::Auth::email(), password => $PASSWORD, phone => 'call me'});
	is $r->{status}, 400, 'a phone with letters: 400';
	is fields_of($r)->{phone}, 'invalid', 'phone invalid';
};

subtest 'a malformed email is refused' => sub {
	for my $e ('plainaddress', '@example.com', 'ab@', 'a@b', 'a b@example.com', 'a@@example.com',
	           'a@example..com', "a\@example.com\n", '.a@example.com', 'a@.example.com') {
		my $r = $t->post($path, json => {email => $e, password => $PASSWORD});
		is $r->{status}, 400, "'$e': 400";
		is fields_of($r)->{email}, 'invalid', "'$e': email invalid";
	}
};

subtest 'weak passwords are refused with a reason' => sub {
	my $email = CarBot::Auth::email();
	my %cases = ('short7!' => 'too_short', 'password1' => 'invalid', 'PASSWORD1' => 'invalid',
	             'qwertzuiop' => 'invalid', 'iloveyou' => 'invalid', $email => 'invalid',
	             uc($email) => 'invalid');
	for my $pw (sort keys %cases) {
		my $r = $t->post($path, json => {email => $email, password => $pw});
		is $r->{status}, 400, "'$pw': 400";
		is fields_of($r)->{password}, $cases{$pw}, "'$pw': $cases{$pw}";
	}
	my $r = $t->post($path, json => {email => $email, password => 'iloveyou'});
	like $r->{json}{error}{details}[0]{message}, qr/common/i, 'a common password is called common';
	is @{$t->sql("SELECT 1 FROM users WHERE email = :'p1'", $email)}, 0, 'nothing was stored';
};

subtest 'a password over 72 bytes is refused, never cut' => sub {
	my $email = CarBot::Auth::email();
	my $r = $t->post($path, json => {email => $email, password => 'A1-' . ('x' x 70)});
	is $r->{status}, 400, '73 bytes: 400';
	is fields_of($r)->{password}, 'too_long', 'too_long';
	like $r->{json}{error}{details}[0]{message}, qr/72/, 'the message names the limit';

	# 72 bytes in UTF-8 but fewer characters: the limit is in bytes.
	$r = $t->post($path, json => {email => $email, password => "\x{e4}" x 37});
	is $r->{status}, 400, '37 two-byte characters (74 bytes): 400';

	my $u = CarBot::Auth::register($t, email => $email, password => 'B2-' . ('y' x 69));
	is $u->{status}, 201, 'exactly 72 bytes is fine';
	my $l = CarBot::Auth::login($t, $email, 'B2-' . ('y' x 69) . 'extra');
	is $l->{status}, 401, 'logging in with those 72 bytes plus more fails (no silent truncation)';
	$l = CarBot::Auth::login($t, $email, 'B2-' . ('y' x 69));
	is $l->{status}, 200, 'the exact password works';
};

subtest 'a duplicate email is 409, whatever its case' => sub {
	my $email = CarBot::Auth::email();
	is CarBot::Auth::register($t, email => $email)->{status}, 201, 'first registration';
	for my $e ($email, uc $email, ucfirst $email) {
		my $r = $t->post($path, json => {email => $e, password => 'Another-Pass-99'});
		is $r->{status}, 409, "'$e': 409";
		is $r->{json}{error}{code}, 'email_taken', 'code email_taken';
	}
	my ($n) = @{$t->sql("SELECT count(*) FROM users WHERE lower(email) = lower(:'p1')", $email)->[0]};
	is $n, 1, 'still one account';
};

subtest 'malformed JSON is 400 and an oversized body 413 (the core)' => sub {
	my $r = $t->post($path, body => '{"email": "a@example.com", ', headers => {'Content-Type' => 'application/json'});
	is $r->{status}, 400, 'truncated JSON: 400';
	ok $r->{json}{error}{code}, 'in the error shape';
	$r = $t->post($path, body => '[1,2]', headers => {'Content-Type' => 'application/json'});
	is $r->{status}, 400, 'an array instead of an object: 400';
	$r = $t->post($path, json => {email => CarBot::Auth::email(), password => $PASSWORD, lastName => 'x' x 5000});
	is $r->{status}, 413, 'a body over max_body (4k here): 413';
};

subtest 'registration is throttled per IP' => sub {
	my $t2 = CarBot::Auth::server(auth => {register_per_ip => 3});
	for my $i (1 .. 3) {
		is CarBot::Auth::register($t2)->{status}, 201, "registration $i of 3";
	}
	my $r = CarBot::Auth::register($t2);
	is $r->{status}, 429, 'the 4th within the hour: 429';
	is $r->{json}{error}{code}, 'rate_limited', 'code rate_limited';
	ok $r->{headers}{'retry-after'} > 0, 'Retry-After given';
	cmp_ok $r->{headers}{'retry-after'}, '<=', 3600, '... within the window';
	is @{$t2->sql("SELECT 1 FROM users WHERE email = :'p1'", $r->{email})}, 0, 'no account made';
};

done_testing;
