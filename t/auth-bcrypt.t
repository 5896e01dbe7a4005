# bcrypt at its real cost (12), equal timing for unknown emails, re-hashing
# of cheaper hashes, secrets kept out of logs, and refusals at startup.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Auth;

my $t = CarBot::Auth::server(auth => {bcrypt_cost => 12}, conf => {log_level => 'debug'});
my $u = CarBot::Auth::register($t);

subtest 'the stored hash is bcrypt $2b$ at cost 12' => sub {
	is $u->{status}, 201, 'registered';
	my ($hash) = @{$t->sql("SELECT password_hash FROM users WHERE id = :'p1'", $u->{id})->[0]};
	like $hash, qr/^\$2b\$12\$[.\/A-Za-z0-9]{53}$/, '$2b$12$ and 53 characters of salt and hash';
	is crypt($PASSWORD, $hash), $hash, 'the system\'s crypt agrees it is the password\'s hash';
};

subtest 'an unknown email and a wrong password get the same answer' => sub {
	# How long each takes is measured by bench/auth.pl (timed assertions are
	# not reliable on a loaded machine); here: the answers cannot be told apart.
	my $wrong = CarBot::Auth::login($t, $u->{email}, 'Wrong-Password-0');
	my $unknown = CarBot::Auth::login($t, 'unknown.' . CarBot::Auth::email(), 'Wrong-Password-0');
	is $wrong->{status}, 401, 'wrong password: 401';
	is $unknown->{status}, 401, 'unknown email: 401';
	is $unknown->{content}, $wrong->{content}, 'byte for byte the same body';
};

subtest 'a hash of a lower cost is re-hashed at the next successful login' => sub {
	my $v = CarBot::Auth::register($t);
	my $old = crypt($PASSWORD, '$2b$04$abcdefghijklmnopqrstuu');
	like $old, qr/^\$2b\$04\$/, 'a cost-4 hash made in Perl';
	$t->sql("UPDATE users SET password_hash = :'p1' WHERE id = :'p2'", $old, $v->{id});
	is CarBot::Auth::login($t, $v->{email}, 'Wrong-Password-0')->{status}, 401, 'a failed login';
	is $t->sql("SELECT password_hash FROM users WHERE id = :'p1'", $v->{id})->[0][0], $old,
	  '... leaves the hash alone';
	is CarBot::Auth::login($t, $v->{email}, $PASSWORD)->{status}, 200, 'the cost-4 hash still logs in';
	my $new = $t->sql("SELECT password_hash FROM users WHERE id = :'p1'", $v->{id})->[0][0];
	like $new, qr/^\$2b\$12\$/, 'and is now cost 12';
	is CarBot::Auth::login($t, $v->{email}, $PASSWORD)->{status}, 200, 'the new hash logs in';
};

subtest 'passwords, tokens and hashes never appear in the log' => sub {
	my $pw = 'Unique-Log-Canary-951';
	my $new = 'Second-Log-Canary-357';
	my $w = CarBot::Auth::register($t, password => $pw);
	my $l = CarBot::Auth::login($t, $w->{email}, $pw);
	CarBot::Auth::login($t, $w->{email}, 'Third-Log-Canary-753');
	my $r = $t->post('/api/v1/auth/refresh', json => {refresh_token => $l->{refresh}});
	$t->post('/api/v1/auth/refresh', json => {refresh_token => $l->{refresh}}); # reuse: logged
	$t->post('/api/v1/auth/password', json => {current_password => $pw, new_password => $new},
	         headers => bearer($w->{access}));
	$t->post('/api/v1/auth/register', json => {email => CarBot::Auth::email(), password => 'x' x 80});
	my $hash = $t->sql("SELECT password_hash FROM users WHERE id = :'p1'", $w->{id})->[0][0];
	my $log = $t->log;
	ok length $log > 0, 'there is a log (level debug)';
	for ([$pw, 'the password'], [$new, 'the new password'], ['Third-Log-Canary-753', 'a wrong password'],
	     [$w->{access}, 'an access token'], [$w->{refresh}, 'a refresh token'],
	     [$r->{json}{tokens}{refresh_token}, 'a rotated refresh token'], [$hash, 'the hash'],
	     [$CarBot::Auth::SECRET, 'the JWT secret'], ['x' x 80, 'a refused password']) {
		my ($s, $what) = @$_;
		ok index($log, $s) < 0, "$what is not in the log";
	}
	unlike $log, qr/\$2b\$/, 'no bcrypt hash at all';
	unlike $log, qr/eyJ[A-Za-z0-9_-]+\.eyJ/, 'no JWT at all';
};

subtest 'carbotd refuses to start with a short or missing jwt_secret or a bad cost' => sub {
	my $conf = sub {
		my (%auth) = @_;
		return $t->write_conf(plugins => ['auth'], plugin_conf => {auth => \%auth},
		                      conf => {listen => '127.0.0.1:1'});
	};
	my ($code, $out) = $t->run_carbotd(args => ['-c', $conf->(jwt_secret => 'k' x 31)]);
	isnt $code, 0, '31-byte secret: refused';
	like $out, qr/jwt_secret/, '... naming jwt_secret';
	like $out, qr/32/, '... and the 32-byte minimum';
	unlike $out, qr/k{31}/, '... without printing the secret';

	($code, $out) = $t->run_carbotd(args => ['-c', $conf->()]);
	isnt $code, 0, 'no secret: refused';
	like $out, qr/jwt_secret/, '... naming jwt_secret';

	($code, $out) = $t->run_carbotd(args => ['-c', $conf->(jwt_secret => $SECRET, bcrypt_cost => 3)]);
	isnt $code, 0, 'bcrypt_cost 3: refused';
	like $out, qr/bcrypt_cost/, '... naming bcrypt_cost';

	($code, $out) = $t->run_carbotd(args => ['-c', $conf->(jwt_secret => $SECRET, no_such_key => 1)]);
	isnt $code, 0, 'an unknown key: refused';

	($code, $out) = $t->run_carbotd(args => ['-t', '-c', $conf->(jwt_secret => 'k' x 32, bcrypt_cost => 4)]);
	is $code, 0, 'a 32-byte secret passes the configuration check' or diag $out;
};

done_testing;
