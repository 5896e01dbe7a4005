# The seams between billing, users.v1, notify and auth: billing never
# touches auth's tables (it goes through users.v1), and billing's events
# reach the owner as mails at a real SMTP server (the mail catcher), in the
# owner's language: billing.trial_ending 3 days before the trial ends (a
# durable job planned at registration) and billing.payment_failed when
# invoice.payment_failed starts the grace period.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Stripe;
use CarBot::Mail;
use CarBot::Landing;

my $ROOT = CarBot::Test->root;

subtest 'billing reaches users only through users.v1' => sub {
	my @hits;
	for my $f (glob("$ROOT/plugins/billing/*.c"), glob("$ROOT/plugins/billing/sql/*.sql")) {
		open my $fh, '<', $f or die "$f: $!";
		my $n = 0;
		while (my $l = <$fh>) {
			$n++;
			next if $l =~ /REFERENCES\s+users\s*\(/i; # the FK is the one allowed mention
			push @hits, "$f:$n" if $l =~ /\b(?:FROM|UPDATE|JOIN|INTO)\s+users\b/i
			    || $l =~ /\busers\s+(?:SET|WHERE)\b/i;
		}
	}
	is_deeply \@hits, [], 'no SQL of billing names auth\'s users table';
};

my $m = CarBot::Mail->new;
my $t = CarBot::Test->new(start => 0);
my $s = CarBot::Stripe->start(webhook_url => $t->url('/api/v1/billing/webhook'));
$t->write_conf(path => $t->conf_path, CarBot::Landing::options(
	more => ['keys', 'billing', 'notify'],
	plugin_conf => {
		keys => {key_secret => 'key-secret-' . ('s' x 40)},
		billing => {stripe_api_base => $s->url, stripe_api_key => $API_KEY,
		            webhook_secret => $WEBHOOK_SECRET, stripe_timeout_ms => 3000},
		notify => {smtp_url => 'smtp://127.0.0.1:' . $m->smtp_port, smtp_tls => 'off',
		           secret => $CarBot::Mail::SECRET, public_url => 'http://carbot.test',
		           mail_from => 'noreply@carbot.test'}},
	conf => {fetch_private_ok => 'on', job_poll_ms => 50}));
$t->start_carbotd;

sub register {
	my ($lang) = @_;
	my $email = CarBot::Auth::email();
	my $r = $t->post('/api/v1/auth/register', json => {email => $email, password => $CarBot::Auth::PASSWORD},
	                 headers => {'Accept-Language' => $lang});
	die "register: $r->{status} $r->{content}" unless $r->{status} == 201;
	return {email => lc $email, id => $r->{json}{user}{id}, access => $r->{json}{tokens}{access_token}};
}
sub due { $t->sql("UPDATE cb_jobs SET run_at = now() WHERE name = :'p1' AND status = 'pending' AND payload->>'user_id' = :'p2'", @_) }
sub kind { my ($u, $k, $n) = @_; $m->wait_for($n // 1, to => $u->{email}, kind => $k, timeout => 60) }
sub tier { CarBot::Stripe::tier($t, @_) }

subtest 'the register response and its token show the trial' => sub {
	require MIME::Base64;
	my $r = $t->post('/api/v1/auth/register', json => {email => CarBot::Auth::email(), password => $CarBot::Auth::PASSWORD});
	is $r->{status}, 201, 'registered';
	is $r->{json}{user}{tier}, 'premium', 'the response shows the premium trial';
	is $r->{json}{user}{subscription_status}, 'trialing', 'status trialing';
	(my $p = (split /\./, $r->{json}{tokens}{access_token})[1]) =~ tr{-_}{+/};
	my $claims = decode_json(MIME::Base64::decode_base64($p . '=' x ((4 - length($p) % 4) % 4)));
	is $claims->{tier}, 'premium', 'the access token carries tier premium';
	my $me = $t->get('/api/v1/auth/me', headers => bearer($r->{json}{tokens}{access_token}));
	is $me->{json}{user}{tier} // $me->{json}{tier}, 'premium', 'and /me agrees';
	is $t->get('/api/v1/landing-pages', headers => bearer($r->{json}{tokens}{access_token}))->{status}, 200,
	    'the first token opens a premium route';
};

subtest 'the trial-ending mail, 3 days before, in the owner\'s language' => sub {
	my $en = register('en-GB,en;q=0.9');
	my $de = register('de-DE,de;q=0.9');
	is tier($en), 'premium/trialing', 'the registration started the trial (through users.v1)';
	my $job = $t->sql("SELECT round(extract(epoch FROM run_at - now()) / 86400), status FROM cb_jobs "
	                  . "WHERE name = 'billing.trial_ending_notice' AND payload->>'user_id' = :'p1'", $en->{id});
	is scalar @$job, 1, 'a durable job is planned at registration';
	is $job->[0][0], 11, '3 days before the 14-day trial ends';
	# 11 days later (the clock moved on: the trial ends in 3 days)
	for my $u ($en, $de) {
		$t->sql("UPDATE users SET trial_ends_at = now() + interval '3 days' - interval '1 minute' WHERE id = :'p1'", $u->{id});
		due('billing.trial_ending_notice', $u->{id});
	}
	my ($me) = kind($en, 'trial_ending');
	ok $me, 'the English owner gets the trial_ending mail';
	like $me->{subject}, qr/trial ends in 3 days/i, 'in English';
	my $end = $t->sql("SELECT to_char(trial_ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM users WHERE id = :'p1'", $en->{id})->[0][0];
	like $me->{text}, qr/\Q$end\E/, 'naming the end of the trial';
	my ($md) = kind($de, 'trial_ending');
	ok $md, 'the German owner gets it too';
	like $md->{subject}, qr/Testphase endet in 3 Tagen/, 'in German';

	# a trial that was ended by a subscription: no notice
	my $paid = register('en');
	my $c = $t->post('/api/v1/billing/checkout', headers => bearer($paid->{access}),
	                 json => {plan => 'premium', interval => 'month'});
	is $c->{status}, 200, 'checkout';
	$s->pay($c->{json}{url});
	ok wait_for(sub { tier($paid) eq 'premium/active' }), 'a paying customer';
	due('billing.trial_ending_notice', $paid->{id});
	ok wait_for(sub { $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'billing.trial_ending_notice' "
	                          . "AND payload->>'user_id' = :'p1' AND status = 'pending'", $paid->{id})->[0][0] == 0 }),
	    'its notice job ran';
	my @mails = grep { ($_->{headers}{'x-carbot-mail'} // '') eq 'trial_ending' }
	    $m->wait_for(99, to => $paid->{email}, timeout => 3);
	is scalar @mails, 0, 'a paying customer gets no trial-ending mail';
};

subtest 'payment failed: the mail with the end of the grace period' => sub {
	my $u = register('en');
	my $c = $t->post('/api/v1/billing/checkout', headers => bearer($u->{access}),
	                 json => {plan => 'premium', interval => 'month'});
	$s->pay($c->{json}{url});
	ok wait_for(sub { tier($u) eq 'premium/active' }), 'paying';
	my $sub = $t->sql("SELECT stripe_subscription_id FROM billing_subscriptions WHERE user_id = :'p1'", $u->{id})->[0][0];
	$s->ctl("subscriptions/$sub/fail_payment");
	ok wait_for(sub { tier($u) eq 'premium/past_due' }), 'past_due';
	my @pf = kind($u, 'payment_failed');
	is scalar @pf, 1, 'the payment_failed mail arrives';
	like $pf[0]{subject}, qr/Payment failed/i, 'in English';
	my $g = $t->sql("SELECT to_char(grace_ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM billing_subscriptions WHERE stripe_subscription_id = :'p1'", $sub)->[0][0];
	like $pf[0]{text}, qr/\Q$g\E/, 'with the end of the grace period';
	# a second failure within the same grace period: no second mail
	$s->ctl("subscriptions/$sub/fail_payment");
	sleep 3;
	my @again = grep { ($_->{headers}{'x-carbot-mail'} // '') eq 'payment_failed' }
	    $m->wait_for(99, to => $u->{email}, timeout => 2);
	is scalar @again, 1, 'one mail per grace period';
};

done_testing;
