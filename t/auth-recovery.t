# auth account e-mails end to end, through the notify plugin and a real
# SMTP server on loopback: address verification at registration (and
# resend), forgot / reset password. Tokens work once, expire, cannot be
# forged; forgot-password answers the same for every address; a reset ends
# every session; unverified accounts may not publish when configured so.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing;
use CarBot::Mail;

my $m = CarBot::Mail->new;
my $notify = {smtp_url => 'smtp://127.0.0.1:' . $m->smtp_port, smtp_tls => 'off',
              secret => $CarBot::Mail::SECRET, public_url => 'http://carbot.test',
              mail_from => 'noreply@carbot.test'};
my $t = CarBot::Test->new(CarBot::Landing::options(
	more => ['notify'],
	auth => {unverified_may_publish => 'off', resend_per_user => 2, forgot_per_ip => 6,
	         forgot_per_email => 3},
	plugin_conf => {notify => $notify},
	conf => {job_poll_ms => 50, trusted_proxies => '127.0.0.1'}));

my $n = 0;
sub ip { return {'X-Forwarded-For' => sprintf('198.51.100.%d', ++$n % 250)} }

sub token_of {
	my ($mail, $path) = @_;
	my ($tok) = ($mail->{text} // '') =~ m{http://carbot\.test/admin/\Q$path\E\?token=([0-9a-f]+)};
	return $tok;
}

sub register {
	my (%o) = @_;
	my $h = delete $o{headers} || {};
	my $email = CarBot::Auth::email();
	my $r = $t->post('/api/v1/auth/register', headers => {%{ip()}, %$h},
	                 json => {email => $email, password => $CarBot::Auth::PASSWORD});
	die "register: $r->{status} $r->{content}" unless $r->{status} == 201;
	return {email => $email, id => $r->{json}{user}{id}, access => $r->{json}{tokens}{access_token},
	        refresh => $r->{json}{tokens}{refresh_token}};
}

sub verify { $t->post('/api/v1/auth/verify-email', json => {token => $_[0]}) }
sub status_of { $t->get('/api/v1/auth/verify-email', headers => bearer($_[0]{access}))->{json} }

subtest 'registration mails a verification link, in the browser\'s language' => sub {
	my $u = register(headers => {'Accept-Language' => 'en-GB,en;q=0.8,de;q=0.5'});
	my ($mail) = $m->wait_for(1, to => $u->{email}, kind => 'verify_email');
	ok $mail, 'the mail arrived' or return;
	is $mail->{subject}, 'Please confirm your e-mail address', 'in English';
	my $tok = token_of($mail, 'verify-email');
	like $tok, qr/^[0-9a-f]{64}$/, 'with a token in the link';
	is $t->sql("SELECT count(*) FROM auth_account_tokens WHERE token_hash = decode(:'p1', 'hex')",
	           $tok)->[0][0], 0, 'the token is not stored in clear';
	is $t->sql("SELECT message FROM notify_mails WHERE kind = 'verify_email' AND recipient = :'p1'",
	           $u->{email})->[0][0], undef, 'the sent message (with the token) is wiped from the outbox';
	is_deeply status_of($u), {email_verified => JSON::PP::false, may_publish => JSON::PP::false},
	    'not verified yet, may not publish (config)';

	CarBot::Auth::set_tier($t, $u->{id}, 'premium');
	my $p = CarBot::Landing::create($t, $u);
	is $p->{status}, 201, 'a page can be drafted';
	my $pub = $t->post("/api/v1/landing-pages/$p->{json}{id}/publish", headers => bearer($u->{access}));
	is $pub->{status}, 403, 'publishing is refused while unverified';
	is $pub->{json}{error}{code}, 'email_unverified', 'saying why';

	my $r = verify($tok);
	is $r->{status}, 200, 'the token verifies';
	is_deeply $r->{json}, {email_verified => JSON::PP::true}, 'answer';
	is status_of($u)->{email_verified}, JSON::PP::true, 'verified';
	is $t->post("/api/v1/landing-pages/$p->{json}{id}/publish", headers => bearer($u->{access}))->{status},
	    200, 'now publishing works';

	my $again = verify($tok);
	is $again->{status}, 400, 'a used token is refused';
	is $again->{json}{error}{code}, 'invalid_token', 'as invalid_token';
	is $t->post('/api/v1/auth/verify-email/resend', headers => bearer($u->{access}))->{json}{error}{code},
	    'already_verified', 'no resend once verified';
};

subtest 'German by default; forged, malformed and expired verification tokens' => sub {
	my $u = register();
	my ($mail) = $m->wait_for(1, to => $u->{email}, kind => 'verify_email');
	is $mail->{subject}, 'Bitte bestätigen Sie Ihre E-Mail-Adresse', 'German';
	is verify('ab' x 32)->{json}{error}{code}, 'invalid_token', 'a forged token of the right shape';
	is verify('not-a-token')->{json}{error}{code}, 'invalid_token', 'a malformed token';
	is verify(token_of($mail, 'verify-email') . '0')->{status}, 400, 'a token with a character added';
	is verify(uc token_of($mail, 'verify-email'))->{status}, 400, 'an altered (upper-cased) token';
	is $t->post('/api/v1/auth/verify-email', json => {})->{json}{error}{code}, 'validation_failed',
	    'token missing';
	is $t->post('/api/v1/auth/verify-email', json => {token => 42})->{json}{error}{code},
	    'validation_failed', 'token not a string';
	is $t->post('/api/v1/auth/verify-email', json => {token => 'a' x 5000})->{json}{error}{code},
	    'validation_failed', 'an oversized token';
	is $t->post('/api/v1/auth/verify-email', content => 'token=x', content_type => 'text/plain')->{status},
	    415, 'JSON only';

	$t->sql("UPDATE auth_account_tokens SET expires_at = now() - interval '1 second' "
	        . "WHERE user_id = :'p1'", $u->{id});
	is verify(token_of($mail, 'verify-email'))->{json}{error}{code}, 'invalid_token', 'an expired token';
	is status_of($u)->{email_verified}, JSON::PP::false, 'still unverified';

	my $r = $t->post('/api/v1/auth/verify-email/resend', headers => bearer($u->{access}));
	is $r->{status}, 202, 'resend';
	my @mails = $m->wait_for(2, to => $u->{email}, kind => 'verify_email');
	is scalar @mails, 2, 'a second mail';
	my $new = token_of($mails[-1], 'verify-email');
	isnt $new, token_of($mail, 'verify-email'), 'with a new token';
	is $t->post('/api/v1/auth/verify-email/resend', headers => bearer($u->{access}))->{status}, 202,
	    'second resend';
	is $t->post('/api/v1/auth/verify-email/resend', headers => bearer($u->{access}))->{status}, 429,
	    'the third within the window is rate-limited';
	my @three = $m->wait_for(3, to => $u->{email}, kind => 'verify_email');
	is verify($new)->{status}, 400, 'a resend retires the earlier token';
	is verify(token_of($three[-1], 'verify-email'))->{status}, 200, 'the newest one works';
	is $t->post('/api/v1/auth/verify-email/resend')->{status}, 401, 'resend needs a token';
};

subtest 'forgot-password answers the same for known and unknown addresses' => sub {
	my $u = register();
	my $known = $t->post('/api/v1/auth/forgot-password', headers => ip(), json => {email => uc $u->{email}});
	my $unknown = $t->post('/api/v1/auth/forgot-password', headers => ip(),
	                       json => {email => 'nobody-' . $u->{email}});
	is $known->{status}, 202, 'known: 202';
	is $unknown->{status}, $known->{status}, 'unknown: the same status';
	is $unknown->{content}, $known->{content}, 'and the same body';
	my ($mail) = $m->wait_for(1, to => $u->{email}, kind => 'password_reset');
	ok $mail, 'the owner of the address gets the mail' or return;
	like token_of($mail, 'reset-password'), qr/^[0-9a-f]{64}$/, 'with a reset link';
	is $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'auth.forgot' AND status <> 'done'")->[0][0], 0,
	    'both requests were handled';
	is scalar(my @x = $m->wait_for(1, to => 'nobody-' . $u->{email}, timeout => 0)), 0,
	    'nothing to an address without an account';
	is $t->post('/api/v1/auth/forgot-password', headers => ip(), json => {})->{json}{error}{code},
	    'validation_failed', 'email missing';
	is $t->post('/api/v1/auth/forgot-password', headers => ip(), json => {email => ['x']})->{status},
	    400, 'email not a string';
	is $t->post('/api/v1/auth/forgot-password', headers => ip(), json => {email => ('a' x 300) . '@x.de'})
	    ->{status}, 400, 'an oversized address';
};

subtest 'forgot-password is rate-limited per address and per IP' => sub {
	my $u = register();
	my @r = map { $t->post('/api/v1/auth/forgot-password', headers => ip(), json => {email => $u->{email}}) }
	    1 .. 5;
	is_deeply [map { $_->{status} } @r], [(202) x 5], 'always the same answer for the address';
	my @mails = $m->wait_for(3, to => $u->{email}, kind => 'password_reset');
	sleep 2; # a fourth would be queued by now
	@mails = $m->wait_for(4, to => $u->{email}, kind => 'password_reset', timeout => 1);
	is scalar @mails, 3, 'but only forgot_per_email (3) mails go out';
	my $h = {'X-Forwarded-For' => '203.0.113.77'};
	my @s = map { $t->post('/api/v1/auth/forgot-password', headers => $h,
	                       json => {email => "x$_\@example.org"})->{status} } 1 .. 7;
	is_deeply \@s, [(202) x 6, 429], 'the 7th from one IP is refused (forgot_per_ip 6)';
};

subtest 'reset-password: new password, every session ends, token once' => sub {
	my $u = register();
	$t->post('/api/v1/auth/forgot-password', headers => ip(), json => {email => $u->{email}});
	my ($mail) = $m->wait_for(1, to => $u->{email}, kind => 'password_reset');
	my $tok = token_of($mail, 'reset-password');
	ok $tok, 'a reset token' or return;
	like $mail->{text}, qr/60 Minuten/, 'the lifetime in the mail';
	sleep 1.1; # the reset's instant must be after the access token's iat second

	my $weak = $t->post('/api/v1/auth/reset-password', json => {token => $tok, password => 'short'});
	is $weak->{status}, 400, 'a weak password is refused';
	is $weak->{json}{error}{details}[0]{field}, 'password', 'naming the field';
	is $t->post('/api/v1/auth/reset-password', json => {token => $tok, password => $u->{email}})->{status},
	    400, 'the address as password is refused';
	is $t->post('/api/v1/auth/reset-password', json => {password => 'x'})->{json}{error}{code},
	    'validation_failed', 'token missing';
	is $t->post('/api/v1/auth/reset-password', json => {token => 'cd' x 32, password => 'Neues-Passwort-42'})
	    ->{json}{error}{code}, 'invalid_token', 'a forged token';

	my $r = $t->post('/api/v1/auth/reset-password', json => {token => $tok, password => 'Neues-Passwort-42'});
	is $r->{status}, 200, 'the reset works (the refused tries did not use the token up)';
	is $t->get('/api/v1/auth/me', headers => bearer($u->{access}))->{status}, 401,
	    'the old access token is refused';
	is $t->post('/api/v1/auth/refresh', json => {refresh_token => $u->{refresh}})->{status}, 401,
	    'the old refresh token is revoked';
	is CarBot::Auth::login($t, $u->{email})->{status}, 401, 'the old password no longer works';
	my $in = CarBot::Auth::login($t, $u->{email}, 'Neues-Passwort-42');
	is $in->{status}, 200, 'the new one does';
	is status_of({access => $in->{access}})->{email_verified}, JSON::PP::true,
	    'the reset mail confirmed the address too';
	is $t->post('/api/v1/auth/reset-password', json => {token => $tok, password => 'Anderes-Passwort-43'})
	    ->{json}{error}{code}, 'invalid_token', 'the token works once';
};

subtest 'an expired reset token, and a newer request voids the older link' => sub {
	my $u = register();
	$t->post('/api/v1/auth/forgot-password', headers => ip(), json => {email => $u->{email}});
	my ($first) = $m->wait_for(1, to => $u->{email}, kind => 'password_reset');
	$t->post('/api/v1/auth/forgot-password', headers => ip(), json => {email => $u->{email}});
	my @two = $m->wait_for(2, to => $u->{email}, kind => 'password_reset');
	is scalar @two, 2, 'two mails';
	is $t->post('/api/v1/auth/reset-password',
	            json => {token => token_of($first, 'reset-password'), password => 'Neues-Passwort-42'})
	    ->{status}, 400, 'the older link is void';
	$t->sql("UPDATE auth_account_tokens SET expires_at = now() - interval '1 second' "
	        . "WHERE user_id = :'p1' AND purpose = 'reset_password'", $u->{id});
	is $t->post('/api/v1/auth/reset-password',
	            json => {token => token_of($two[-1], 'reset-password'), password => 'Neues-Passwort-42'})
	    ->{json}{error}{code}, 'invalid_token', 'an expired token is refused';
	is CarBot::Auth::login($t, $u->{email})->{status}, 200, 'the password is unchanged';
};

subtest 'two resets racing with one token: exactly one wins' => sub {
	my $u = register();
	$t->post('/api/v1/auth/forgot-password', headers => ip(), json => {email => $u->{email}});
	my ($mail) = $m->wait_for(1, to => $u->{email}, kind => 'password_reset');
	my $tok = token_of($mail, 'reset-password');
	my @pids;
	for my $i (1 .. 4) {
		my $pid = fork // die;
		if (!$pid) {
			my $r = $t->post('/api/v1/auth/reset-password',
			                 json => {token => $tok, password => "Race-Passwort-$i$i"});
			POSIX::_exit($r->{status} == 200 ? 0 : 1);
		}
		push @pids, $pid;
	}
	my $wins = 0;
	for (@pids) { waitpid $_, 0; $wins++ if $? == 0 }
	is $wins, 1, 'one request of four succeeds';
	is scalar(grep { CarBot::Auth::login($t, $u->{email}, "Race-Passwort-$_$_")->{status} == 200 } 1 .. 4),
	    1, 'and its password is the one set';
};

done_testing;
