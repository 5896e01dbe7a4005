# The subscription decides the tier, end to end with the Stripe stand-in as a
# real server: a new account's trial and its expiry; checkout -> the
# stand-in's Pay form -> signed webhooks -> premium, a premium-only route and
# the higher rate limit; payment failure -> grace -> downgrade with keys and
# pages switched off (not deleted) -> payment -> switched back on; cancel at
# period end; a plan change with proration.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;
use CarBot::Landing;
use CarBot::Stripe;

my ($t, $s) = CarBot::Stripe::server(billing => {enterprise_checkout => 1});
sub tier { CarBot::Stripe::tier($t, @_) }
sub sub_of { $t->get('/api/v1/billing/subscription', headers => bearer($_[0]{access}))->{json} }
sub due { $t->sql("UPDATE cb_jobs SET run_at = now() WHERE name = :'p1' AND status = 'pending'", $_[0]) }
sub checkout {
	my ($u, %body) = @_;
	return $t->post('/api/v1/billing/checkout', headers => bearer($u->{access}),
	                json => {plan => 'premium', interval => 'month', %body});
}
# A user who went through checkout and paid: premium, with a Stripe subscription.
sub paying {
	my ($u) = @_;
	my $c = checkout($u);
	die "checkout: $c->{status} $c->{content}" unless $c->{status} == 200;
	$s->pay($c->{json}{url});
	wait_for(sub { tier($u) eq 'premium/active' }) or die 'never became premium';
	return $t->sql("SELECT stripe_subscription_id FROM billing_subscriptions WHERE user_id = :'p1'",
	               $u->{id})->[0][0];
}

subtest 'a new account trials premium, and the trial ends in basic' => sub {
	my $u = CarBot::Stripe::user($t);
	is tier($u), 'premium/trialing', 'premium, trialing';
	my $j = sub_of($u);
	is $j->{plan}, 'premium', 'GET subscription: plan premium';
	is $j->{status}, 'trialing', 'status trialing';
	ok $j->{trial_end}, 'with its end';
	my $days = $t->sql("SELECT round(extract(epoch FROM trial_ends_at - now()) / 86400) FROM users WHERE id = :'p1'", $u->{id})->[0][0];
	is $days, 14, 'of 14 days (trial_days)';
	is $t->get('/api/v1/landing-pages', headers => bearer($u->{access}))->{status}, 200,
		'a premium-only route is open during the trial';
	is $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'billing.trial_end' AND payload->>'user_id' = :'p1'", $u->{id})->[0][0],
		1, 'the end of the trial is a durable job';

	$t->sql("UPDATE users SET trial_ends_at = now() - interval '1 second' WHERE id = :'p1'", $u->{id});
	due('billing.trial_end');
	ok wait_for(sub { tier($u) eq 'basic/active' }), 'the job moves it to basic';
	is $t->get('/api/v1/landing-pages', headers => bearer($u->{access}))->{status}, 403,
		'and the premium-only route is closed on the very next request';
	is sub_of($u)->{trial_end}, undef, 'no trial end shown any more';
};

subtest 'upgrade: checkout, the stand-in pays, webhooks, premium' => sub {
	my $u = CarBot::Stripe::user($t);
	my $key = CarBot::Keys::create($t, $u, domain => 'upgrade.example.de');
	$t->sql("UPDATE users SET trial_ends_at = now() - interval '1 second' WHERE id = :'p1'", $u->{id});
	due('billing.trial_end');
	wait_for(sub { tier($u) eq 'basic/active' }) or die;
	is CarBot::Keys::probe($t, $key->{key}, 'https://upgrade.example.de')->{json}{'key.tier'}, 'basic',
		'the widget API sees the key as basic (and caches it)';
	my $r = $t->get('/api/v1/auth/me', headers => bearer($u->{access}));
	is $r->{headers}{'ratelimit-limit'}, 100, 'basic: RateLimit-Limit 100';
	is $t->get('/api/v1/landing-pages', headers => bearer($u->{access}))->{status}, 403, 'basic: landing pages 403';

	my $c = checkout($u);
	is $c->{status}, 200, 'checkout: 200';
	like $c->{json}{url}, qr{^\Q${\ $s->url('/checkout/cs_test_')}\E}, 'the URL of a checkout session';
	is checkout($u)->{json}{id}, $c->{json}{id}, 'a double click gives the same session';
	my $st = $s->state;
	my ($sess) = grep { $_->{id} eq $c->{json}{id} } values %{$st->{sessions}};
	is $sess->{mode}, 'subscription', 'mode subscription';
	is $sess->{client_reference_id}, $u->{id}, 'client_reference_id is the user';
	is $sess->{price}, 'price_premium_month', 'the premium monthly price';
	my ($cus) = grep { $_->{id} eq $sess->{customer} } values %{$st->{customers}};
	is $cus->{metadata}{user_id}, $u->{id}, 'a customer with the user id in its metadata';
	is scalar(grep { ($_->{metadata}{user_id} // '') eq $u->{id} } values %{$st->{customers}}), 1, 'just one';
	is tier($u), 'basic/active', 'nothing changes before paying';

	my ($page, $paid) = $s->pay($c->{json}{url});
	like $page->{content}, qr{<button[^>]*>Pay \(test mode\)</button>}, 'the checkout page has a Pay (test mode) button';
	like $page->{content}, qr{>Decline</button>}, 'and a Decline button';
	like $page->{content}, qr/Local test mode/, 'and says it is local test mode';
	ok wait_for(sub { tier($u) eq 'premium/active' }), 'the webhooks make the user premium';
	$r = $t->get('/api/v1/landing-pages', headers => bearer($u->{access}));
	is $r->{status}, 200, 'a premium-only route is allowed now';
	is $r->{headers}{'ratelimit-limit'}, 500, 'with the premium rate limit in RateLimit-Limit';
	is CarBot::Keys::probe($t, $key->{key}, 'https://upgrade.example.de')->{json}{'key.tier'}, 'premium',
		'and the cached key carries the new tier on the next widget request';
	my $j = sub_of($u);
	is $j->{plan}, 'premium', 'GET subscription: premium';
	is $j->{status}, 'active', 'active';
	is $j->{interval}, 'month', 'monthly';
	like $j->{current_period_end}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'with the period end';
	is $j->{cancel_at_period_end}, JSON::PP::false, 'not cancelling';
	my $inv = $t->get('/api/v1/billing/invoices', headers => bearer($u->{access}))->{json}{invoices};
	is scalar @$inv, 1, 'one invoice';
	is_deeply [@{$inv->[0]}{qw(amount currency status)}], [4900, 'eur', 'paid'], 'of 49.00 EUR, paid';
	ok $inv->[0]{number} && $inv->[0]{hosted_url} && $inv->[0]{pdf_url} && $inv->[0]{date}, 'number, date, URLs';
	my $hosted = HTTP::Tiny->new->get($inv->[0]{hosted_url});
	like $hosted->{content}, qr/\Q$inv->[0]{number}\E/, 'the hosted invoice page shows it';
	is checkout($u)->{json}{error}{code}, 'already_subscribed', 'checkout of the same plan now: 409 already_subscribed';
	is checkout($u)->{status}, 409, 'with status 409';
	my $events = $t->sql("SELECT count(*), count(processed_at) FROM billing_events")->[0];
	is $events->[0], $events->[1], 'every event stored was processed';
};

subtest 'payment failure: grace, downgrade switching off, payment switching back on' => sub {
	my $u = CarBot::Stripe::user($t);
	my @keys = map { CarBot::Keys::create($t, $u, domain => "dunning$_.example.de") } 1 .. 5;
	my $page = CarBot::Landing::published($t, $u, subdomain => CarBot::Landing::subdomain());
	my $sub = paying($u);

	$s->ctl("subscriptions/$sub/fail_payment");
	ok wait_for(sub { tier($u) eq 'premium/past_due' }), 'past_due, still premium (full features in grace)';
	my $j = sub_of($u);
	ok $j->{grace_period_end}, 'GET subscription shows the end of the grace period';
	my $grace = $t->sql("SELECT round(extract(epoch FROM grace_ends_at - now()) / 86400) FROM billing_subscriptions WHERE stripe_subscription_id = :'p1'", $sub)->[0][0];
	is $grace, 7, 'grace_days 7';
	is $t->get('/api/v1/landing-pages', headers => bearer($u->{access}))->{status}, 200, 'landing pages still open';

	$t->sql("UPDATE billing_subscriptions SET grace_ends_at = now() - interval '1 second' WHERE stripe_subscription_id = :'p1'", $sub);
	due('billing.grace_end');
	ok wait_for(sub { tier($u) eq 'basic/past_due' }), 'after the grace period: basic';
	is $t->get('/api/v1/landing-pages', headers => bearer($u->{access}))->{status}, 403, 'premium routes closed';
	my $rows = $t->sql("SELECT id, is_active, revoked_at IS NULL FROM client_keys WHERE user_id = :'p1' ORDER BY created_at", $u->{id});
	is scalar @$rows, 5, 'no key deleted';
	is_deeply [map { $_->[1] } @$rows], [qw(t t t f f)], 'the two newest beyond basic\'s 3 are switched off';
	is_deeply [map { $_->[2] } @$rows], [qw(t t t t t)], 'none revoked';
	is $t->sql("SELECT is_published::text FROM landing_pages WHERE id = :'p1'", $page->{id})->[0][0], 'false',
		'the landing page is unpublished (and still there)';
	is CarBot::Keys::probe($t, $keys[4]{key}, 'https://dunning5.example.de')->{json}{error}{code}, 'invalid_client_key',
		'a switched-off key stops working at once';
	is CarBot::Keys::probe($t, $keys[0]{key}, 'https://dunning1.example.de')->{status}, 200, 'a kept one works';
	$j = sub_of($u);
	is_deeply [sort map { "$_->{kind} $_->{id}" } @{$j->{switched_off}}],
		[sort("client_key $keys[3]{id}", "client_key $keys[4]{id}", "landing_page $page->{id}")],
		'GET subscription lists what was switched off';

	# while downgraded, one kept key is switched off by its owner and one of
	# the switched-off keys is revoked: neither comes back on
	$t->sql("UPDATE client_keys SET is_active = false WHERE id = :'p1'", $keys[1]{id});
	$t->sql("UPDATE client_keys SET revoked_at = now() WHERE id = :'p1'", $keys[3]{id});
	$s->ctl("subscriptions/$sub/pay");
	ok wait_for(sub { tier($u) eq 'premium/active' }), 'invoice.paid: active premium again';
	$rows = $t->sql("SELECT is_active, revoked_at IS NOT NULL FROM client_keys WHERE user_id = :'p1' ORDER BY created_at", $u->{id});
	is_deeply [map { $_->[0] } @$rows], [qw(t f t f t)], 'the switched-off keys are switched back on, except a revoked one';
	is_deeply [map { $_->[1] } @$rows], [qw(f f f t f)], 'which stays revoked';
	is $t->sql("SELECT is_active::text FROM client_keys WHERE id = :'p1'", $keys[1]{id})->[0][0], 'false',
		'and a key its owner switched off stays off';
	is $t->sql("SELECT is_published::text FROM landing_pages WHERE id = :'p1'", $page->{id})->[0][0], 'true',
		'the page is published again';
	is_deeply sub_of($u)->{switched_off}, [], 'nothing listed as switched off';
	is sub_of($u)->{grace_period_end}, undef, 'no grace period';
	is CarBot::Keys::probe($t, $keys[4]{key}, 'https://dunning5.example.de')->{status}, 200, 'the key works again';
};

subtest 'cancel at period end: premium until then, basic after' => sub {
	my $u = CarBot::Stripe::user($t);
	my $sub = paying($u);
	my $p = $t->post('/api/v1/billing/portal', headers => bearer($u->{access}));
	is $p->{status}, 200, 'portal: 200';
	like $p->{json}{url}, qr{^\Q${\ $s->url('/portal/bps_')}\E}, 'a billing portal session URL';
	my $html = HTTP::Tiny->new->get($p->{json}{url})->{content};
	my ($form) = $html =~ m{action="(/portal/[^"]+/cancel/\Q$sub\E)"} or BAIL_OUT('no cancel form');
	HTTP::Tiny->new(max_redirect => 0)->request('POST', $s->url($form));
	ok wait_for(sub { sub_of($u)->{cancel_at_period_end} }), 'cancel_at_period_end shown';
	is tier($u), 'premium/active', 'still premium until the period ends';
	$s->ctl("subscriptions/$sub/end_period");
	ok wait_for(sub { tier($u) eq 'basic/canceled' }), 'at the period end: basic, canceled';
	is sub_of($u)->{plan}, 'basic', 'GET subscription: basic';
};

subtest 'a plan change applies at once, with proration' => sub {
	my $u = CarBot::Stripe::user($t);
	my $sub = paying($u);
	my $r = checkout($u, plan => 'enterprise');
	is $r->{status}, 200, 'checkout of another plan while subscribed: 200';
	is $r->{json}{changed}, JSON::PP::true, 'changed in place';
	is tier($u), 'enterprise/active', 'enterprise at once';
	is $t->get('/api/v1/auth/me', headers => bearer($u->{access}))->{headers}{'ratelimit-limit'}, 2000,
		'with enterprise\'s rate limit on the next request';
	my $st = $s->state->{subs}{$sub};
	is $st->{items}{data}[0]{price}{id}, 'price_enterprise_month', 'the same Stripe subscription has the new price';
	is $st->{proration_behavior}, 'create_prorations', 'prorated';
	is $t->sql("SELECT count(*) FROM billing_subscriptions WHERE user_id = :'p1'", $u->{id})->[0][0], 1,
		'still one subscription';
	$r = checkout($u, plan => 'premium', interval => 'year');
	is $r->{json}{changed}, JSON::PP::true, 'down to premium yearly';
	is tier($u), 'premium/active', 'premium at once';
	is sub_of($u)->{interval}, 'year', 'yearly';
};

done_testing;
