# The plans' client-key limits at key creation (keys' basic_max_keys,
# premium_max_keys, enterprise_max_keys = the client_keys limit billing's
# plans endpoint shows): 403 plan_key_limit_reached beyond the plan, room
# again after a revoke or an upgrade, the global max_keys_per_user still
# 409, and two creates racing for the last slot make exactly one key.
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
use CarBot::Keys;

# the defaults: basic 3, premium 20, enterprise unlimited (only the global 50)
my $t = CarBot::Keys::server(keys => {basic_max_keys => 3, premium_max_keys => 20,
                                      enterprise_max_keys => -1, max_keys_per_user => 25});
sub create { CarBot::Keys::create($t, @_) }
sub live { $t->sql("SELECT count(*) FROM client_keys WHERE user_id = :'p1' AND revoked_at IS NULL", $_[0]{id})->[0][0] }

subtest 'basic: three keys, the fourth is refused with a clear code' => sub {
	my $u = CarBot::Keys::user($t);
	my @k = map { create($u) } 1 .. 3;
	is_deeply [map { $_->{status} } @k], [201, 201, 201], 'three keys';
	my $r = create($u);
	is $r->{status}, 403, 'the fourth: 403';
	is $r->{json}{error}{code}, 'plan_key_limit_reached', 'plan_key_limit_reached';
	like $r->{json}{error}{message}, qr/basic.*\b3\b/, 'naming the plan and its limit';
	is live($u), 3, 'no key made';
	my $test = create($u, domain => 'localhost', environment => 'test');
	is $test->{status}, 403, 'test keys count too';
	is $t->del("/api/v1/client-keys/$k[0]{id}", headers => bearer($u->{access}))->{status}, 204, 'revoke one';
	is create($u)->{status}, 201, 'then there is room for one';
	is create($u)->{status}, 403, 'and only one';
	CarBot::Auth::set_tier($t, $u->{id}, 'premium');
	is create($u)->{status}, 201, 'after an upgrade to premium: room again at once';
};

subtest 'premium 20, enterprise only the global limit' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my @st = map { create($u)->{status} } 1 .. 21;
	is_deeply [@st[0 .. 19]], [(201) x 20], 'twenty keys';
	is $st[20], 403, 'the 21st: 403';
	my $e = CarBot::Keys::user($t, 'enterprise');
	@st = map { create($e)->{status} } 1 .. 26;
	is_deeply [@st[0 .. 24]], [(201) x 25], 'enterprise: up to max_keys_per_user';
	my $r = create($e);
	is $r->{status}, 409, 'then the global limit: 409';
	is $r->{json}{error}{code}, 'key_limit_reached', 'key_limit_reached';
};

subtest 'wrong owner, no token, bad input are refused before the limit' => sub {
	my $u = CarBot::Keys::user($t);
	create($u) for 1 .. 3;
	is $t->post('/api/v1/client-keys', json => {domain => CarBot::Keys::domain()})->{status}, 401, 'no token: 401';
	my $r = $t->post('/api/v1/client-keys', headers => bearer($u->{access}), json => {domain => 42});
	is $r->{status}, 400, 'a wrong type at the limit: 400 first';
	my $other = CarBot::Keys::user($t);
	is create($other)->{status}, 201, 'another owner is not limited by this one\'s keys';
};

subtest 'a race for the last key: one wins' => sub {
	for my $round (1 .. 3) {
		my $u = CarBot::Keys::user($t);
		create($u) for 1 .. 2;
		my @pids;
		my $dir = $t->tmpdir;
		for my $i (1 .. 2) {
			my $pid = fork // die "fork: $!";
			if (!$pid) {
				my $r = HTTP::Tiny->new(timeout => 60)->post($t->url('/api/v1/client-keys'),
					{headers => {Authorization => "Bearer $u->{access}", 'Content-Type' => 'application/json'},
					 content => encode_json({domain => CarBot::Keys::domain()})});
				open my $fh, '>', "$dir/race-$round-$i" or POSIX::_exit(1);
				print $fh $r->{status};
				close $fh;
				POSIX::_exit(0);
			}
			push @pids, $pid;
		}
		waitpid $_, 0 for @pids;
		my @st = sort map { open my $fh, '<', "$dir/race-$round-$_" or die; scalar <$fh> } 1 .. 2;
		is_deeply \@st, [201, 403], "round $round: one 201, one 403";
		is live($u), 3, 'and exactly the plan\'s three keys';
	}
};

done_testing;
