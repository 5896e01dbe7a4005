# Sessions: refresh rotation, reuse detection, logout, password change.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use Time::HiRes qw(sleep);
use CarBot::Auth;

my $t = CarBot::Auth::server();

sub refresh { return $t->post('/api/v1/auth/refresh', json => {refresh_token => $_[0]}) }
sub me { return $t->get('/api/v1/auth/me', headers => bearer($_[0])) }
sub logout {
	my ($access, $body) = @_;
	return $t->post('/api/v1/auth/logout', json => $body, headers => bearer($access));
}
sub live_tokens {
	my ($id) = @_;
	return $t->sql("SELECT count(*) FROM refresh_tokens WHERE user_id = :'p1' AND revoked_at IS NULL "
	               . "AND replaced_by IS NULL", $id)->[0][0];
}

subtest 'refresh gives a new pair and rotates the refresh token' => sub {
	my $u = CarBot::Auth::register($t);
	my $r = refresh($u->{refresh});
	is $r->{status}, 200, 'status 200';
	my $tok = $r->{json}{tokens};
	is_deeply [sort keys %$tok], [qw(access_token expires_in refresh_token)], 'a token pair';
	is $r->{json}{user}{id}, $u->{id}, 'and the user';
	isnt $tok->{refresh_token}, $u->{refresh}, 'a new refresh token';
	is me($tok->{access_token})->{status}, 200, 'the new access token works';
	my $rows = $t->sql("SELECT count(DISTINCT family_id), count(*), count(replaced_by) FROM refresh_tokens "
	                   . "WHERE user_id = :'p1'", $u->{id});
	is_deeply $rows->[0], [1, 2, 1], 'same family, two tokens, the first replaced';
	my $r2 = refresh($tok->{refresh_token});
	is $r2->{status}, 200, 'the new refresh token refreshes again';
};

subtest 'reusing a rotated refresh token revokes its whole family' => sub {
	my $u = CarBot::Auth::register($t);
	my $other = CarBot::Auth::login($t, $u->{email}, $PASSWORD); # a second, innocent session
	my $first = refresh($u->{refresh});
	my $second = refresh($first->{json}{tokens}{refresh_token});
	is $second->{status}, 200, 'a chain of two refreshes';

	my $r = refresh($u->{refresh});
	is $r->{status}, 401, 'the original token again: 401';
	is $r->{json}{error}{code}, 'unauthorized', 'code unauthorized';
	like $r->{json}{error}{message}, qr/already used/i, 'says why';
	is refresh($second->{json}{tokens}{refresh_token})->{status}, 401,
	  'the newest token of that family is revoked too';
	is refresh($other->{refresh})->{status}, 200, 'the other session lives on';
	like $t->log, qr/reuse detected/, 'the reuse is logged';
};

subtest 'a lost answer: the rotated token once more within the grace' => sub {
	# a page reload aborted the refresh in flight: the server rotated, the
	# browser never saw the new token and presents the old one again
	my $u = CarBot::Auth::register($t);
	my $lost = refresh($u->{refresh});
	is $lost->{status}, 200, 'rotated (the answer is lost)';
	my $again = refresh($u->{refresh});
	is $again->{status}, 200, 'the same token again at once: a new pair, the session lives' or diag $again->{content};
	isnt $again->{json}{tokens}{refresh_token}, $lost->{json}{tokens}{refresh_token}, 'another child';
	is refresh($again->{json}{tokens}{refresh_token})->{status}, 200, 'which refreshes on';
	like $t->log, qr/presented again within the reuse grace/, 'logged as such';
	unlike $t->log, qr/\Q$u->{refresh}\E/, 'without the token';

	my $r = refresh($u->{refresh});
	is $r->{status}, 401, 'a third presentation is reuse: 401';
	like $r->{json}{error}{message}, qr/already used/i, '... which says why';
	is refresh($lost->{json}{tokens}{refresh_token})->{status}, 401, 'and the whole family is revoked';

	my $v = CarBot::Auth::register($t);
	my $first = refresh($v->{refresh});
	$t->sql("UPDATE refresh_tokens SET created_at = created_at - interval '11 seconds' WHERE parent_id = "
	        . "(SELECT id FROM refresh_tokens WHERE user_id = :'p1' AND parent_id IS NULL)", $v->{id});
	is refresh($v->{refresh})->{status}, 401, 'after the grace (10 s): reuse, 401';
	is refresh($first->{json}{tokens}{refresh_token})->{status}, 401, '... family revoked';

	my $w = CarBot::Auth::register($t);
	my $wl = refresh($w->{refresh});
	is logout($wl->{json}{tokens}{access_token}, {all => JSON::PP::true})->{status}, 200, 'logged out everywhere';
	is refresh($w->{refresh})->{status}, 401, 'a logged-out session gets no grace';
};

subtest 'bad, expired and missing refresh tokens' => sub {
	my $r = refresh('x' x 43);
	is $r->{status}, 401, 'an unknown token: 401';
	$r = $t->post('/api/v1/auth/refresh', json => {});
	is $r->{status}, 400, 'missing: 400';
	$r = $t->post('/api/v1/auth/refresh', json => {refresh_token => 123});
	is $r->{status}, 400, 'a number: 400';
	my $u = CarBot::Auth::register($t);
	$t->sql("UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = :'p1'", $u->{id});
	is refresh($u->{refresh})->{status}, 401, 'an expired token: 401';
	my $v = CarBot::Auth::register($t);
	$t->sql("UPDATE users SET deleted_at = now() WHERE id = :'p1'", $v->{id});
	is refresh($v->{refresh})->{status}, 401, 'the token of a deleted user: 401';
	my $w = CarBot::Auth::register($t);
	is refresh($w->{access})->{status}, 401, 'an access token is no refresh token';
};

subtest 'remember survives rotation' => sub {
	my $u = CarBot::Auth::register($t);
	my $l = CarBot::Auth::login($t, $u->{email}, $PASSWORD, remember => JSON::PP::true);
	my $r = refresh($l->{refresh});
	is $r->{status}, 200, 'refreshed';
	my $rows = $t->sql("SELECT remember, round(extract(epoch FROM expires_at - created_at)) FROM refresh_tokens "
	                   . "WHERE user_id = :'p1' AND revoked_at IS NULL AND replaced_by IS NULL AND remember",
	                   $u->{id});
	is_deeply $rows, [['t', 2592000]], 'the child is a 30-day token too';
};

subtest 'logout revokes the given refresh token' => sub {
	my $u = CarBot::Auth::register($t);
	my $other = CarBot::Auth::login($t, $u->{email}, $PASSWORD);
	my $r = logout($u->{access}, {refresh_token => $u->{refresh}});
	is $r->{status}, 200, 'status 200';
	is $r->{json}{revoked}, 1, 'one session revoked';
	is refresh($u->{refresh})->{status}, 401, 'that refresh token is dead';
	is refresh($other->{refresh})->{status}, 200, 'the other session is not';
	is logout($u->{access}, {refresh_token => $u->{refresh}})->{json}{revoked}, 0, 'logging out twice is harmless';
	$r = $t->post('/api/v1/auth/logout', json => {refresh_token => $other->{refresh}});
	is $r->{status}, 401, 'logout needs an access token';
	is logout($u->{access}, {})->{status}, 400, 'without a refresh token and without all: 400';
};

subtest 'logout cannot end another user\'s session' => sub {
	my $a = CarBot::Auth::register($t);
	my $b = CarBot::Auth::register($t);
	my $r = logout($a->{access}, {refresh_token => $b->{refresh}});
	is $r->{json}{revoked}, 0, 'Alice presenting Bob\'s refresh token revokes nothing';
	is refresh($b->{refresh})->{status}, 200, 'Bob\'s session lives';
};

subtest 'logout with all ends every session and every access token' => sub {
	my $u = CarBot::Auth::register($t);
	my @s = map { CarBot::Auth::login($t, $u->{email}, $PASSWORD) } 1 .. 2;
	sleep 1.1; # access tokens carry whole seconds: make them older than the logout
	my $r = logout($s[0]{access}, {all => JSON::PP::true});
	is $r->{status}, 200, 'status 200';
	is $r->{json}{revoked}, 3, 'three sessions revoked (register + 2 logins)';
	is live_tokens($u->{id}), 0, 'no live refresh token left';
	is refresh($_->{refresh})->{status}, 401, 'a refresh token is dead' for $u, @s;
	is me($s[1]{access})->{status}, 401, 'another session\'s access token is refused at once';
	is me($s[0]{access})->{status}, 401, 'so is the one that logged out';
	my $again = CarBot::Auth::login($t, $u->{email}, $PASSWORD);
	is me($again->{access})->{status}, 200, 'a new login works';
	is logout($again->{access}, {all => 'yes'})->{status}, 400, 'all must be a boolean';
};

subtest 'changing the password needs the current one and ends other sessions' => sub {
	my $u = CarBot::Auth::register($t);
	my $other = CarBot::Auth::login($t, $u->{email}, $PASSWORD);
	my $path = '/api/v1/auth/password';
	my $new = 'Brand-New-Secret-42';

	my $r = $t->post($path, json => {current_password => 'Wrong-Current-1', new_password => $new},
	                 headers => bearer($u->{access}));
	is $r->{status}, 401, 'a wrong current password: 401';
	is $r->{json}{error}{code}, 'invalid_credentials', 'code invalid_credentials';
	$r = $t->post($path, json => {new_password => $new}, headers => bearer($u->{access}));
	is $r->{status}, 400, 'no current password: 400';
	$r = $t->post($path, json => {current_password => $PASSWORD, new_password => 'password1'},
	              headers => bearer($u->{access}));
	is $r->{status}, 400, 'a common new password: 400';
	$r = $t->post($path, json => {current_password => $PASSWORD, new_password => $PASSWORD},
	              headers => bearer($u->{access}));
	is $r->{status}, 400, 'the same password again: 400';
	$r = $t->post($path, json => {current_password => $PASSWORD, new_password => 'x' x 73},
	              headers => bearer($u->{access}));
	is $r->{status}, 400, 'a new password over 72 bytes: 400';
	$r = $t->post($path, json => {current_password => $PASSWORD, new_password => $new});
	is $r->{status}, 401, 'no access token: 401';

	sleep 1.1;
	$r = $t->post($path, json => {current_password => $PASSWORD, new_password => $new},
	              headers => bearer($u->{access}));
	is $r->{status}, 200, 'the right current password: 200';
	my $tok = $r->{json}{tokens};
	ok $tok->{access_token} && $tok->{refresh_token}, 'a fresh pair for the caller';
	unlike $r->{content}, qr/\Q$new\E|\$2b\$/, 'neither password nor hash in the answer';
	is me($tok->{access_token})->{status}, 200, 'the new access token works';
	is refresh($tok->{refresh_token})->{status}, 200, 'the new refresh token works';
	is refresh($other->{refresh})->{status}, 401, 'the other session\'s refresh token is revoked';
	is me($other->{access})->{status}, 401, 'the other session\'s access token is refused';
	is CarBot::Auth::login($t, $u->{email}, $PASSWORD)->{status}, 401, 'the old password no longer logs in';
	is CarBot::Auth::login($t, $u->{email}, $new)->{status}, 200, 'the new one does';
};

subtest 'password-change failures count towards the lockout' => sub {
	my $u = CarBot::Auth::register($t);
	for my $i (1 .. 5) {
		$t->post('/api/v1/auth/password', json => {current_password => "Guess-$i-guess", new_password => 'Fresh-Pass-77'},
		         headers => bearer($u->{access}));
	}
	my $r = $t->post('/api/v1/auth/password', json => {current_password => $PASSWORD, new_password => 'Fresh-Pass-77'},
	                 headers => bearer($u->{access}));
	is $r->{status}, 429, 'after 5 wrong current passwords: 429';
	ok $r->{headers}{'retry-after'}, 'with Retry-After';
};

subtest 'PATCH /me changes the profile and nothing else' => sub {
	my $u = CarBot::Auth::register($t, firstName => 'Old', phone => '030 1234');
	my $r = $t->patch('/api/v1/auth/me', json => {firstName => 'New', companyName => 'Werkstatt Neu', phone => undef},
	                  headers => bearer($u->{access}));
	is $r->{status}, 200, 'status 200';
	is $r->{json}{user}{first_name}, 'New', 'first name changed';
	is $r->{json}{user}{company_name}, 'Werkstatt Neu', 'company set';
	is $r->{json}{user}{phone}, undef, 'phone cleared with null';
	is me($u->{access})->{json}{user}{first_name}, 'New', 'GET /me agrees';
	for my $f (qw(email tier role password)) {
		$r = $t->patch('/api/v1/auth/me', json => {$f => 'enterprise'}, headers => bearer($u->{access}));
		is $r->{status}, 400, "$f cannot be patched";
		is $r->{json}{error}{details}[0]{field}, $f, "... and is named";
	}
	is me($u->{access})->{json}{user}{tier}, 'basic', 'still basic';
	$r = $t->patch('/api/v1/auth/me', json => {lastName => 'x' x 101}, headers => bearer($u->{access}));
	is $r->{status}, 400, 'too long a name: 400';
	$r = $t->patch('/api/v1/auth/me', json => {lastName => "a\x{1}b"}, headers => bearer($u->{access}));
	is $r->{status}, 400, 'control characters: 400';
	$r = $t->patch('/api/v1/auth/me', json => {firstName => 'A'}, headers => {});
	is $r->{status}, 401, 'no token: 401';
};

done_testing;
