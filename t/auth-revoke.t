# Ending sessions really ends them: "log out everywhere" and a password change
# against refreshes running at the same moment (issue 12, items 1 and 2), the
# sub-second cut-off, and nbf.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use HTTP::Tiny;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(sleep time);
use CarBot::Auth;

my $t = CarBot::Auth::server();
my $JSON = JSON::PP->new->utf8;

sub refresh { return $t->post('/api/v1/auth/refresh', json => {refresh_token => $_[0]}) }
sub me { return $t->get('/api/v1/auth/me', headers => bearer($_[0])) }
sub live_tokens {
	my ($id) = @_;
	return $t->sql("SELECT count(*) FROM refresh_tokens WHERE user_id = :'p1' AND revoked_at IS NULL "
	               . "AND replaced_by IS NULL", $id)->[0][0];
}
sub rotations {
	my ($id) = @_;
	return $t->sql("SELECT count(*) FROM refresh_tokens WHERE user_id = :'p1' AND replaced_by IS NOT NULL",
	               $id)->[0][0];
}

# An attacker holding a refresh token refreshes in a loop until refused (at
# most $max times). Exits 0 when it was refused and its last access token is
# refused too; 1 when it still had a working session at the end.
sub attacker {
	my ($refresh, $access, $max) = @_;
	my $http = HTTP::Tiny->new(timeout => 30, keep_alive => 0);
	for (1 .. $max) {
		my $r = $http->post($t->url('/api/v1/auth/refresh'), {
			headers => {'Content-Type' => 'application/json'},
			content => $JSON->encode({refresh_token => $refresh})});
		if ($r->{status} != 200) {
			my $m = $http->get($t->url('/api/v1/auth/me'), {headers => bearer($access)});
			POSIX::_exit($m->{status} == 401 ? 0 : 1);
		}
		my $tok = $JSON->decode($r->{content})->{tokens};
		($refresh, $access) = @$tok{qw(refresh_token access_token)};
	}
	POSIX::_exit(1);
}

# One round: $n stolen sessions refreshing in a loop, one revocation ($how)
# once they are under way. Returns (attackers still signed in, live tokens).
sub race_round {
	my ($how, $n) = @_;
	my $u = CarBot::Auth::register($t);
	my @sessions = map { CarBot::Auth::login($t, $u->{email}, $PASSWORD) } 1 .. $n;
	my $owner = CarBot::Auth::login($t, $u->{email}, $PASSWORD);
	my @kids;
	for my $s (@sessions) {
		my $pid = fork // die "fork: $!";
		attacker($s->{refresh}, $s->{access}, 400) unless $pid;
		push @kids, $pid;
	}
	# Revoke while the attackers are busy rotating (bounded wait).
	my $until = time + 60;
	sleep 0.05 while rotations($u->{id}) < 3 * $n && time < $until;
	my $r = $how eq 'logout'
	  ? $t->post('/api/v1/auth/logout', json => {all => JSON::PP::true}, headers => bearer($owner->{access}))
	  : $t->post('/api/v1/auth/password', headers => bearer($owner->{access}),
	             json => {current_password => $PASSWORD, new_password => 'Another-Horse-8-Staple-' . $$});
	die "revocation failed: $r->{status} $r->{content}" unless $r->{status} == 200;
	my $survivors = 0;
	for (@kids) { waitpid $_, 0; $survivors++ if $? != 0 }
	# After a password change the caller's own new session is the one left.
	my $live = live_tokens($u->{id}) - ($how eq 'password' ? 1 : 0);
	return ($survivors, $live);
}

for my $round (1 .. 4) {
	my $how = $round % 2 ? 'logout' : 'password';
	subtest "round $round: refreshes racing one $how leave no session" => sub {
		my ($survivors, $live) = race_round($how, 6);
		is $survivors, 0, 'no attacker keeps a working refresh or access token';
		is $live, 0, 'no live refresh token of the old sessions';
	};
}

subtest 'the password route exists where the race uses it' => sub {
	my $u = CarBot::Auth::register($t);
	my $r = $t->post('/api/v1/auth/password', headers => bearer($u->{access}),
	                 json => {current_password => $PASSWORD, new_password => 'Yet-Another-9-Horse'});
	is $r->{status}, 200, 'a password change answers 200';
	is me($r->{json}{tokens}{access_token})->{status}, 200, 'with a working new access token';
};

subtest 'logout-all voids access tokens of the same second' => sub {
	# Each round signs in and logs out at once: nearly always within one
	# second, so whole-second comparison lets the old token through.
	for my $i (1 .. 5) {
		my $u = CarBot::Auth::register($t);
		my $old = CarBot::Auth::login($t, $u->{email}, $PASSWORD);
		my $r = $t->post('/api/v1/auth/logout', json => {all => JSON::PP::true},
		                 headers => bearer($u->{access}));
		is $r->{status}, 200, "round $i: logged out everywhere";
		is me($old->{access})->{status}, 401, "round $i: the older access token is refused";
		is me($u->{access})->{status}, 401, "round $i: the caller's own too";
		my $new = CarBot::Auth::login($t, $u->{email}, $PASSWORD);
		is me($new->{access})->{status}, 200, "round $i: a sign-in after it works";
	}
};

subtest 'a password change voids access tokens of the same second' => sub {
	for my $i (1 .. 3) {
		my $u = CarBot::Auth::register($t);
		my $pw = "Fresh-Horse-$i-Battery";
		my $r = $t->post('/api/v1/auth/password', headers => bearer($u->{access}),
		                 json => {current_password => $PASSWORD, new_password => $pw});
		is $r->{status}, 200, "round $i: changed";
		is me($u->{access})->{status}, 401, "round $i: the token from before is refused";
		is me($r->{json}{tokens}{access_token})->{status}, 200, "round $i: the new one works";
	}
};

subtest 'a refresh token older than the cut-off is refused even if not revoked' => sub {
	my $u = CarBot::Auth::register($t);
	# what a revocation path that forgot the refresh tokens would leave
	$t->sql("UPDATE users SET sessions_valid_after = now() + interval '1 second' WHERE id = :'p1'", $u->{id});
	is refresh($u->{refresh})->{status}, 401, 'issued before sessions_valid_after: 401';
	my $v = CarBot::Auth::register($t);
	$t->sql("UPDATE users SET sessions_valid_after = now() - interval '1 hour' WHERE id = :'p1'", $v->{id});
	my $r = refresh($v->{refresh});
	is $r->{status}, 200, 'issued after it: 200';
	is me($r->{json}{tokens}{access_token})->{status}, 200, 'and its access token works';
};

# Forged with the server's secret, so only the claims decide.
sub claims_for {
	my ($u, %c) = @_;
	my $now = time;
	return {sub => $u->{id}, email => $u->{email}, tier => 'basic', permissions => [],
	        iat => int($now), exp => int($now) + 600, type => 'access', iss => 'carbot', %c};
}

subtest 'nbf is checked when present' => sub {
	my $u = CarBot::Auth::register($t);
	my $now = int time;
	my $ok = jwt({alg => 'HS256', typ => 'JWT'}, claims_for($u), $SECRET);
	is me($ok)->{status}, 200, 'a token without nbf (and without sv) works';
	is me(jwt({alg => 'HS256', typ => 'JWT'}, claims_for($u, nbf => $now - 5), $SECRET))->{status}, 200,
	  'nbf in the past: 200';
	is me(jwt({alg => 'HS256', typ => 'JWT'}, claims_for($u, nbf => $now + 3600), $SECRET))->{status}, 401,
	  'nbf an hour ahead: 401';
	is me(jwt({alg => 'HS256', typ => 'JWT'}, claims_for($u, nbf => 'soon'), $SECRET))->{status}, 401,
	  'nbf not a number: 401';
};

subtest 'a token without sv from the cut-off second is refused' => sub {
	my $u = CarBot::Auth::register($t);
	my $r = $t->post('/api/v1/auth/logout', json => {all => JSON::PP::true}, headers => bearer($u->{access}));
	is $r->{status}, 200, 'logged out everywhere';
	my $cut = $t->sql("SELECT floor(extract(epoch FROM sessions_valid_after))::bigint FROM users "
	                  . "WHERE id = :'p1'", $u->{id})->[0][0];
	my $tok = jwt({alg => 'HS256', typ => 'JWT'}, claims_for($u, iat => $cut + 0), $SECRET);
	is me($tok)->{status}, 401, 'iat equal to the cut-off second: 401';
	$tok = jwt({alg => 'HS256', typ => 'JWT'}, claims_for($u, iat => $cut + 1), $SECRET);
	is me($tok)->{status}, 200, 'iat after it: 200';
	$tok = jwt({alg => 'HS256', typ => 'JWT'}, claims_for($u, sv => 12345), $SECRET);
	is me($tok)->{status}, 401, 'a wrong session version: 401';
	$tok = jwt({alg => 'HS256', typ => 'JWT'}, claims_for($u, sv => 'x'), $SECRET);
	is me($tok)->{status}, 401, 'a session version that is no integer: 401';
};

done_testing;
